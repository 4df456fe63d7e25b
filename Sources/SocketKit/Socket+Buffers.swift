// The bytes a program already holds, handed to the socket calls as they are: arrays (`[UInt8]`), slices of them
// (`buffer[..<n]`), `Data`, strings — so the lecture's Python lines translate without pointers:
//
//     n = s.recv_into(buffer)                 let n = try s.recvInto(&buffer)
//     s.sendall(buffer[:n])                   try s.sendAll(buffer[..<n])
//     nbytes, addr = s.recvfrom_into(buffer)  let (nbytes, addr) = try s.recvFromInto(&buffer)
//
// Any collection of bytes is taken: `Data` needs no Foundation in SocketKit, being a `Collection` of `UInt8` like
// the rest. Memory that is contiguous (arrays, array slices, `Data` when sending) is handed to the system as it is;
// anything else goes through a temporary array. The raw-pointer calls in Socket.swift remain the ones to use when
// copying is not an option.

extension Socket {
    // MARK: Sending

    /// `send(data)`: sends as much as the system takes right now and returns how many bytes that was — possibly
    /// fewer than you gave it. Use `sendAll` unless you handle the rest yourself.
    @discardableResult
    public func send(_ data: some Collection<UInt8>) throws -> Int {
        try withBytes(data) { buffer in try send(buffer) }
    }

    /// The text's UTF-8 bytes.
    @discardableResult
    public func send(_ text: String) throws -> Int {
        try send(Array(text.utf8))
    }

    /// `sendall(data)`: sends every byte, calling send as often as it takes.
    public func sendAll(_ data: some Collection<UInt8>) throws {
        try withBytes(data) { buffer in try sendAll(buffer) }
    }

    /// The text's UTF-8 bytes.
    public func sendAll(_ text: String) throws {
        try sendAll(Array(text.utf8))
    }

    /// `sendto(data, (host, port))`: one datagram to the given address.
    @discardableResult
    public func sendTo(_ data: some Collection<UInt8>, _ address: (String, Int)) throws -> Int {
        try sendTo(data, resolve(address, call: "sendto"))
    }

    /// `sendto(data, addr)`, to the address that `recvFrom` or `accept` returned.
    @discardableResult
    public func sendTo(_ data: some Collection<UInt8>, _ address: SocketAddress) throws -> Int {
        try withBytes(data) { buffer in try sendTo(buffer, address) }
    }

    @discardableResult
    public func sendTo(_ text: String, _ address: (String, Int)) throws -> Int {
        try sendTo(Array(text.utf8), address)
    }

    @discardableResult
    public func sendTo(_ text: String, _ address: SocketAddress) throws -> Int {
        try sendTo(Array(text.utf8), address)
    }

    // MARK: Receiving

    /// `recv_into(buffer)`: receives into the bytes you pass (`&buffer`: an array, a slice such as
    /// `&buffer[filled...]`, or `Data`) from the front, and returns how many it wrote; 0 means end of file. The
    /// buffer keeps its size: the bytes past the count are what they were.
    public func recvInto(_ buffer: inout some MutableCollection<UInt8>) throws -> Int {
        try withMutableBytes(&buffer) { raw in try recvInto(raw) }
    }

    /// `nbytes, addr = recvfrom_into(buffer)`: one datagram into the bytes you pass, its length and who sent it.
    public func recvFromInto(_ buffer: inout some MutableCollection<UInt8>) throws -> (Int, SocketAddress) {
        var sender: SocketAddress?
        let count = try withMutableBytes(&buffer) { raw in
            let (count, from) = try recvFromInto(raw)
            sender = from
            return count
        }
        return (count, sender!)
    }
}

/// Hands the bytes of any collection to a call that wants a raw buffer, copying only when they are not contiguous.
func withBytes<Result>(
    _ data: some Collection<UInt8>,
    _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows
    -> Result
{
    if let result = try data.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(data).withUnsafeBytes(body)
}

/// Lets a call that fills a raw buffer (and returns how many bytes it wrote) fill any mutable collection: in place
/// when its memory is contiguous, otherwise through an array whose first `count` bytes are copied back.
func withMutableBytes(
    _ data: inout some MutableCollection<UInt8>,
    _ fill: (UnsafeMutableRawBufferPointer) throws -> Int
) throws -> Int {
    if let count = try data.withContiguousMutableStorageIfAvailable({ try fill(UnsafeMutableRawBufferPointer($0)) }) {
        return count
    }
    var scratch = Array(data)
    let count = try scratch.withUnsafeMutableBytes(fill)
    var index = data.startIndex
    for byte in scratch[..<count] {
        data[index] = byte
        data.formIndex(after: &index)
    }
    return count
}
