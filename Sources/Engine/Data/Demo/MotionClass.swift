import EngineCore
/// The classes of Reel's demo dataset. They come in pairs that differ only in the direction of motion, so a
/// single frame (or an order-blind average of frames, as TSN computes) cannot tell the two members apart.
public enum MotionClass: Int, CaseIterable, Sendable {
    case movingLeft, movingRight, movingUp, movingDown, rotatingClockwise, rotatingAnticlockwise, zoomingIn, zoomingOut

    public var name: String {
        switch self {
        case .movingLeft: "moving_left"
        case .movingRight: "moving_right"
        case .movingUp: "moving_up"
        case .movingDown: "moving_down"
        case .rotatingClockwise: "rotating_clockwise"
        case .rotatingAnticlockwise: "rotating_anticlockwise"
        case .zoomingIn: "zooming_in"
        case .zoomingOut: "zooming_out"
        }
    }

    /// The other member of the pair (the same motion reversed).
    public var opposite: MotionClass { MotionClass(rawValue: rawValue ^ 1)! }
}
