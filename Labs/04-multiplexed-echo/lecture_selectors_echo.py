# The lecture's "Multiple Server" (selectors) echo server, as `make bench` runs it: typos fixed, per-message prints
# removed, and (for the benchmark) the port taken from the command line, 0 picking a free one, and printed as
# "listening on HOST:PORT" like every server in the kit. Its faults are the lecture's own, kept on purpose: it
# watches every connection for writing all the time, and it closes a connection at end of file without sending
# what it still holds.
import selectors, socket, sys, types
sel = selectors.DefaultSelector()
def accept_wrapper(sock):
    conn, addr = sock.accept()
    conn.setblocking(False)
    data = types.SimpleNamespace(addr=addr, inb=b"", outb=b"")
    sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, data=data)
def service_connection(key, mask):
    sock, data = key.fileobj, key.data
    if mask & selectors.EVENT_READ:
        recv_data = sock.recv(1024)
        if recv_data:
            data.outb += recv_data
        else:
            sel.unregister(sock); sock.close(); return
    if mask & selectors.EVENT_WRITE and data.outb:
        sent = sock.send(data.outb)
        data.outb = data.outb[sent:]
lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 65432))
lsock.listen(4096)
print("listening on %s:%d" % lsock.getsockname(), flush=True)
lsock.setblocking(False)
sel.register(lsock, selectors.EVENT_READ, data=None)
while True:
    for key, mask in sel.select(timeout=None):
        if key.data is None: accept_wrapper(key.fileobj)
        else: service_connection(key, mask)
