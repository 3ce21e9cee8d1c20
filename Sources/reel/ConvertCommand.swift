import ArgumentParser
import Config
import EngineCore
import EngineData
import EngineTraining
import Foundation

/// `reel convert IN OUT`: weights between PyTorch `.pth` and safetensors, either way. The output's container follows
/// OUT's extension (`.safetensors`, or `.pth`/`.pt`); the input's is read from its first bytes. Only the model's
/// state dict is carried (mmcv's `state_dict`, with `module.` removed), so the output loads strictly into the
/// mmaction2 model: optimizer state is left behind. Metadata: a `.pth`'s `meta` becomes `mmcv_meta` (JSON) in the
/// safetensors file; a safetensors file's string metadata becomes the `.pth`'s `meta`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert weights between PyTorch .pth and safetensors.",
        discussion: """
            Reads a PyTorch checkpoint (torch.save's zip or older format, read without executing its pickle: only \
            tensors, OrderedDict and plain data are accepted) or a safetensors file, and writes the model's weights \
            as the other. A .pth written by Reel loads with torch.load(f, weights_only=True).
            """)

    @Argument(help: "Input weights (.pth, .pt or .safetensors).") var input: String
    @Argument(help: "Output file; .safetensors, .pth or .pt decides the format.") var output: String

    func run() throws {
        let ext = (output as NSString).pathExtension.lowercased()
        guard ["safetensors", "pth", "pt"].contains(ext) else {
            throw ValidationError("\(output): the output must end in .safetensors, .pth or .pt")
        }
        var file = try CheckpointFile.read(input)
        file.tensors.removeAll { $0.name.hasPrefix("optimizer.") }
        for key in ["optimizer", "optimizer_file"] { file.metadata[key] = nil }
        let data = ext == "safetensors" ? SafeTensors.encode(file) : try TorchCheckpoint.encode(file, path: output)
        try AtomicFile.write(data, to: output)
        let floats = file.tensors.reduce(0) { $0 + $1.value.shape.reduce(1, *) }
        print("wrote \(output): \(file.tensors.count) tensors, \(floats) values")
    }
}
