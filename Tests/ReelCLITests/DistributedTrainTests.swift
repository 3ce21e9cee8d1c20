import Foundation
import XCTest

/// `reel train --launcher mpi` under Open MPI's launcher, two ranks on this machine (CI runs these; make installs
/// openmpi-bin): equality with one process on the whole batch, rank 0 alone writing, the stop signal, and faults.
final class DistributedTrainTests: XCTestCase {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let twoRanks = ["--allow-run-as-root", "--oversubscribe", "-np", "2"]

    private func mpirun() throws -> String {
        guard let m = Self.mpirun else { throw XCTSkip("mpirun not found: `make deps` installs openmpi-bin") }
        return m
    }

    /// With SyncBN and no dropout, 2 ranks × 4 videos take the steps one process takes with 8 (the same videos in
    /// each step, mmaction2's DistributedSampler sharding): the same losses per step, weights and BN statistics
    /// after 6 steps to float rounding, and the same sharded-then-gathered val metrics.
    func testTwoRanksWithSyncBNEqualOneProcessWithTheWholeBatch() throws {
        let mpirun = try mpirun()
        let ws = try DemoWorkspace(self)
        let flags = ["--seed", "3", "--validate", "--threads", "1"]
        let options = ["model.cls_head.dropout_ratio=0", "model.backbone.norm_cfg.type=SyncBN"]
        let one = try ws.run(ws.train(workDir: ws.path("one"), epochs: 2, options: options + ["data.videos_per_gpu=8"], flags: flags))
        XCTAssertEqual(one.status, 0, one.stderr)
        let two = try ws.start(ws.train(workDir: ws.path("two"), epochs: 2, options: options + ["data.videos_per_gpu=4"],
                                        flags: flags + ["--launcher", "mpi"]), launcher: mpirun, launcherArguments: Self.twoRanks)
        XCTAssertEqual(two.wait(), 0, two.stderr)
        XCTAssertTrue(two.stdout.contains("Distributed training: rank 0 of 2") && two.stdout.contains("SyncBN"), two.stdout)
        XCTAssertFalse(two.stdout.contains("rank 1 of 2"), "only rank 0 prints the run")

        let diff = try ws.run(["checkpoint", "diff", ws.path("one/epoch_2.safetensors"), ws.path("two/epoch_2.safetensors"),
                               "--rtol", "1e-5", "--atol", "1e-7"])
        XCTAssertEqual(diff.status, 0, diff.stdout + diff.stderr)

        let a = try Self.events(ws.path("one/events.jsonl")), b = try Self.events(ws.path("two/events.jsonl"))
        let lossA = a.filter { $0["type"] as? String == "iteration" }.compactMap { $0["loss"] as? Double }
        let lossB = b.filter { $0["type"] as? String == "iteration" }.compactMap { $0["loss"] as? Double }
        XCTAssertEqual(lossA.count, 6)
        XCTAssertEqual(lossB.count, 6)
        for (x, y) in zip(lossA, lossB) { XCTAssertEqual(x, y, accuracy: 1e-5 * abs(x), "loss per step") }
        let metrics = { (e: [[String: Any]]) in e.filter { $0["type"] as? String == "evaluation" }.compactMap { $0["metrics"] as? [String: Double] } }
        XCTAssertEqual(metrics(a).count, 2)
        XCTAssertEqual(metrics(a), metrics(b), "sharded evaluation gathers to one process's metrics")
        // Every rank's figures reach rank 0's record.
        let ranks = b.first { $0["type"] as? String == "iteration" }?["ranks"] as? [[Double]]
        XCTAssertEqual(ranks?.count, 2)
        XCTAssertEqual(ranks?.first?.count, 3)
        // Rank 0 alone wrote the work dir: one text log, one event stream.
        let files = try FileManager.default.contentsOfDirectory(atPath: ws.path("two"))
        XCTAssertEqual(files.filter { $0.hasSuffix(".log") }.count, 1, "\(files)")
        XCTAssertEqual(Set(b.compactMap { $0["run"] as? String }).count, 1, "one run in events.jsonl")
    }

    /// Ctrl-C on mpirun (which passes SIGTERM to every rank): all ranks stop at the same iteration, rank 0 saves
    /// and the checkpoint loads; a rank killed outright ends the whole job within seconds, naming the rank.
    func testStopSignalAndADeadRankEndTheJob() throws {
        let mpirun = try mpirun()
        let ws = try DemoWorkspace(self)
        let run = try ws.start(ws.train(workDir: ws.path("w"), epochs: 200, flags: ["--seed", "1", "--threads", "1", "--launcher", "mpi"]),
                               launcher: mpirun, launcherArguments: Self.twoRanks)
        XCTAssertTrue(run.waitFor(timeout: 60) { run.stdout.contains("Epoch [2]") }, run.stdout + run.stderr)
        run.send(SIGINT)
        XCTAssertNotEqual(run.wait(timeout: 30), 0)
        XCTAssertTrue(run.stderr.contains("stopped by SIGTERM at iteration"), run.stderr)
        let saved = try FileManager.default.contentsOfDirectory(atPath: ws.path("w")).filter { $0.hasPrefix("iter_") && $0.hasSuffix(".safetensors") }
        XCTAssertEqual(saved.count, 1, "\(saved)")
        if let file = saved.first { XCTAssertNotNil(try ws.verify(ws.path("w/" + file))) }

        let doomed = try ws.start(ws.train(workDir: ws.path("k"), epochs: 200, flags: ["--seed", "1", "--threads", "1", "--launcher", "mpi"]),
                                  launcher: mpirun, launcherArguments: Self.twoRanks)
        XCTAssertTrue(doomed.waitFor(timeout: 60) { doomed.stdout.contains("Epoch [1]") }, doomed.stdout + doomed.stderr)
        let ranks = Self.children(of: doomed.pid)
        XCTAssertEqual(ranks.count, 2, "mpirun's children: \(ranks)")
        guard let victim = ranks.last else { return }
        kill(victim, SIGKILL)
        let killedAt = Date()
        XCTAssertNotEqual(doomed.wait(timeout: 30), 0)
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 15, "the job ends within seconds")
        XCTAssertTrue(doomed.stderr.contains("exited on signal 9"), doomed.stderr)
        XCTAssertTrue(Self.children(of: doomed.pid).isEmpty)
    }

    /// A rank that fails (here: its shard meets a missing frame) stops every rank at once, naming itself.
    func testARankThatFailsStopsTheJobNamingIt() throws {
        let mpirun = try mpirun()
        let ws = try DemoWorkspace(self)
        // The last train video's frames are gone: one rank's shard reaches it first.
        let list = try String(contentsOfFile: ws.path("data/demo/train_list.txt"), encoding: .utf8)
        let last = list.split(separator: "\n").last!.split(separator: " ")[0]
        try FileManager.default.removeItem(atPath: ws.path("data/demo/rawframes/\(last)"))
        let run = try ws.start(ws.train(workDir: ws.path("w"), epochs: 3, flags: ["--seed", "1", "--threads", "1", "--launcher", "mpi"]),
                               launcher: mpirun, launcherArguments: Self.twoRanks)
        XCTAssertNotEqual(run.wait(timeout: 60), 0)
        XCTAssertTrue(run.stderr.range(of: #"reel: rank [01] of 2 on \S+ failed, stopping the job: "#, options: .regularExpression) != nil,
                      run.stderr)
        XCTAssertTrue(run.stderr.contains(String(last)), run.stderr)
    }

    /// A checkpoint does not depend on the world size: 2 ranks × 4 videos for one epoch (3 steps), then one process
    /// × 4 videos resumes it (6 steps an epoch), its position re-counted in its own steps, and finishes.
    func testACheckpointOfTwoRanksResumesInOneProcess() throws {
        let mpirun = try mpirun()
        let ws = try DemoWorkspace(self)
        let two = try ws.start(ws.train(workDir: ws.path("w"), epochs: 1, options: ["data.videos_per_gpu=4"],
                                        flags: ["--seed", "2", "--threads", "1", "--launcher", "mpi"]),
                               launcher: mpirun, launcherArguments: Self.twoRanks)
        XCTAssertEqual(two.wait(), 0, two.stderr)
        let one = try ws.run(ws.train(workDir: ws.path("w"), epochs: 2, options: ["data.videos_per_gpu=4"],
                                      flags: ["--seed", "2", "--threads", "1", "--resume-from", ws.path("w/epoch_1.safetensors")]))
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("the checkpoint took 8 videos a step, this run takes 4 (1 rank(s)): epoch 2 resumes at batch 0 (0 videos done), iteration 6"), one.stdout)
        XCTAssertTrue(one.stdout.contains("Finished after 12 iterations"), one.stdout)
    }

    func testLaunchersOtherThanMPIAreRefusedWithTheCommandThatWorks() throws {
        let ws = try DemoWorkspace(self)
        let r = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1, flags: ["--launcher", "pytorch"]))
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("mpirun -np K reel … --launcher mpi"), r.stderr)
        let alone = try ws.run(ws.train(workDir: ws.path("w"), epochs: 1, flags: ["--launcher", "mpi"]))
        XCTAssertEqual(alone.status, 2)
        XCTAssertTrue(alone.stderr.contains("started by Open MPI"), alone.stderr)
    }

    static func events(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The pids whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return all.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.range(of: ")", options: .backwards) else { return false }
            let fields = stat[close.upperBound...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }.sorted()
    }
}
