-- Wireshark and tshark: lab 5's frames, by name. See PROTOCOL.md for the format.
--
--   wireshark -X lua_script:Labs/05-framed-protocol/lab5.lua .labcheck/lab5-step4.pcapng
--   tshark -X lua_script:Labs/05-framed-protocol/lab5.lua -r .labcheck/lab5-step4.pcapng -Y lab5
--
-- (Or copy this file into Wireshark's personal plugins folder: Help → About Wireshark → Folders.)
-- The router listens on any port, so frames are found by their look: a known type and a sane length.

local lab5 = Proto("lab5", "Lab 5 frames")

local names = {
    [0x0001] = "HELLO", [0x0002] = "SEND", [0x0003] = "BROADCAST", [0x0004] = "LIST", [0x0005] = "PING",
    [0x0006] = "BYE", [0x0081] = "WELCOME", [0x0082] = "DELIVER", [0x0084] = "USERS", [0x0085] = "PONG",
    [0x00FF] = "ERROR",
}

local f_type = ProtoField.uint16("lab5.type", "Type", base.HEX, names)
local f_name = ProtoField.string("lab5.name", "Type name")
local f_length = ProtoField.uint32("lab5.length", "Body length", base.DEC)
local f_body = ProtoField.string("lab5.body", "Body")
local f_bytes = ProtoField.bytes("lab5.bytes", "Body bytes")
lab5.fields = { f_type, f_name, f_length, f_body, f_bytes }

local HEADER = 6

-- One whole frame: the header, then the body as text (PING and PONG carry bytes, shown as such too).
local function dissect_frame(tvb, pinfo, tree)
    local frame_type = tvb(0, 2):uint()
    local length = tvb(2, 4):uint()
    local name = names[frame_type] or string.format("0x%04X", frame_type)
    pinfo.cols.protocol = "LAB5"
    local subtree = tree:add(lab5, tvb(0, HEADER + length), "Lab 5 frame: " .. name)
    subtree:add(f_type, tvb(0, 2))
    subtree:add(f_name, tvb(0, 2), name)
    subtree:add(f_length, tvb(2, 4))
    if length > 0 then
        subtree:add(f_body, tvb(HEADER, length))
        subtree:add(f_bytes, tvb(HEADER, length))
    end
    local info = tostring(pinfo.cols.info)
    pinfo.cols.info = (info == "" and "" or info .. ", ") .. name
    return HEADER + length
end

-- Every whole frame in this piece of the stream; a frame cut short asks TCP for the rest (reassembly), so a header
-- sent a byte at a time still shows as one frame.
function lab5.dissector(tvb, pinfo, tree)
    local offset = 0
    local available = tvb:len()
    while offset < available do
        local left = available - offset
        if left < HEADER then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
            return available
        end
        local needed = HEADER + tvb(offset + 2, 4):uint()
        if left < needed then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = needed - left
            return available
        end
        dissect_frame(tvb(offset, needed):tvb(), pinfo, tree)
        offset = offset + needed
    end
    return offset
end

-- A TCP payload is lab 5's when it starts with a known type and a length under the router's largest limit. A first
-- segment may hold only part of the header (the checker sends some a byte at a time): the type decides then.
local function looks_like_lab5(tvb, pinfo, tree)
    if tvb:len() < 2 or names[tvb(0, 2):uint()] == nil then return false end
    if tvb:len() >= HEADER and tvb(2, 4):uint() > 16 * 1024 * 1024 then return false end
    pinfo.conversation = lab5
    lab5.dissector(tvb, pinfo, tree)
    return true
end

lab5:register_heuristic("tcp", looks_like_lab5)
DissectorTable.get("tcp.port"):add(65432, lab5)
