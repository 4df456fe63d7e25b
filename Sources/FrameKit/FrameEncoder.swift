/// The kit's frame codec, for labrepl, the checker and the tests. The protocol's types come from FrameTypes
/// (re-exported here, so `import FrameKit` is all a tool needs); lab 5's students write their own codec and
/// depend on FrameTypes alone, so nothing here can stand in for their work.
@_exported import FrameTypes

extension Frame {
    /// Appends the frame's wire form to `buffer`, so that a sender can queue many frames in one
    /// output buffer without an intermediate array each.
    ///
    /// The body must fit the 32-bit length field (4 GiB); no frame a decoder produced or a person
    /// typed comes near that.
    public func encode(into buffer: inout [UInt8]) {
        let type = type.rawValue
        let length = UInt32(body.count)
        buffer.append(UInt8(truncatingIfNeeded: type >> 8))
        buffer.append(UInt8(truncatingIfNeeded: type))
        buffer.append(UInt8(truncatingIfNeeded: length >> 24))
        buffer.append(UInt8(truncatingIfNeeded: length >> 16))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(contentsOf: body)
    }

    /// The frame's wire form: header then body.
    public func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Frame.headerSize + body.count)
        encode(into: &buffer)
        return buffer
    }
}
