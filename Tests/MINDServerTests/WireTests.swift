import Foundation
import Hummingbird
import HummingbirdTesting
import MINDServer
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The service on a real socket, written to by hand as HTTP/1.1: what the router tests cannot see (interim
/// responses, connections closed or kept).
@Suite("On the wire", .serialized)
struct WireTests {
    /// A service with a 4 KiB body limit, live on a free port, and `client` talking to it on a thread of its own (its
    /// blocking reads must not hold the threads the service's request handling runs on); returns what `client` saw.
    func exchange<Seen: Sendable>(_ client: @escaping @Sendable (RawConnection) -> Seen) async throws -> Seen {
        let directory = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let service = try ServerFixture.service(in: directory, settings: ServiceSettings(maximumBodyBytes: 4096))
        let box = Mutex<Seen?>(nil)
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { testClient in
            let connection = try RawConnection(port: try #require(testClient.port))
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread { box.withLock { $0 = client(connection) }; done.resume() }.start()
            }
        }
        return try #require(box.withLock { $0 })
    }

    @Test func expectContinueGetsAnInterimAnswerBeforeTheBodyIsSent() async throws {
        let body = #"{"history": ["\#(ServerFixture.itemIDs[0])"], "n": 3}"#
        let seen = try await exchange { connection in
            (0..<2).map { _ in  // twice on one connection: the interim answer leaves it usable
                connection.send("POST /v1/recommend HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
                let interim = connection.head()  // the body is not sent until this arrives (or the read timeout)
                connection.send(body)
                return (interim, connection.response())
            }
        }
        for (interim, answer) in seen {
            #expect(interim == "HTTP/1.1 100 Continue")
            #expect(answer.head.hasPrefix("HTTP/1.1 200"))
            #expect(answer.body.contains("\"items\""))
        }
    }

    /// A request that expects 100 behind one still being answered gets its 100 after that answer, not before it:
    /// the three parts are sent in one write, so the service reads the second head before it has answered the first.
    @Test func theInterimAnswerWaitsForTheAnswerBeforeIt() async throws {
        let body = #"{"history": ["\#(ServerFixture.itemIDs[0])"], "n": 3}"#
        let heads = try await exchange { connection in
            connection.send("POST /v1/recommend HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                + "POST /v1/recommend HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
            let first = connection.response().head
            let interim = connection.head()
            connection.send(body)
            return [first, interim, connection.response().head]
        }
        #expect(heads[0].hasPrefix("HTTP/1.1 200"))
        #expect(heads[1] == "HTTP/1.1 100 Continue")
        #expect(heads[2].hasPrefix("HTTP/1.1 200"))
    }

    @Test func aBodyDeclaredTooLargeIsRefusedFromTheHeadAndTheConnectionClosed() async throws {
        let (answer, closed) = try await exchange { connection in
            connection.send("POST /v1/events HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 999999999\r\n\r\n")
            return (connection.response(), connection.isClosedByPeer())  // no 100 first, and no byte of the body sent
        }
        #expect(answer.head.hasPrefix("HTTP/1.1 413"))
        #expect(answer.head.lowercased().contains("connection: close"))
        #expect(answer.body.contains("\"status\":413"))
        #expect(closed, "the refused body is not waited for")
    }

    @Test func aChunkedBodyFoundTooLargeClosesTheConnection() async throws {
        let (answer, closed) = try await exchange { connection in
            let chunk = String(repeating: " ", count: 3000)
            connection.send("POST /v1/recommend HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<2 { connection.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") }
            return (connection.response(), connection.isClosedByPeer())  // the body has not ended; its rest is not read
        }
        #expect(answer.head.hasPrefix("HTTP/1.1 413"))
        #expect(closed)
    }

    /// What the HTTP parser refuses is answered in JSON like every other refusal, then the connection closes;
    /// damage after a good pipelined request comes after that request's answer.
    @Test(arguments: [
        ("GARBAGE\r\n\r\n", ["400"]),
        ("GET /healthz HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n", ["400"]),
        ("GET /healthz HTTP/1.1\r\nHost: test\r\nX-Padding: \(String(repeating: "a", count: 100_000))\r\n\r\n", ["431"]),
        ("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\nGARBAGE\r\n\r\n", ["200", "400"]),
    ])
    func unparsableRequestsGetJSONErrors(request: String, statuses: [String]) async throws {
        let (answers, closed) = try await exchange { connection in
            connection.send(request)
            return (statuses.map { _ in connection.response() }, connection.isClosedByPeer())
        }
        for (answer, status) in zip(answers, statuses) {
            #expect(answer.head.hasPrefix("HTTP/1.1 \(status)"), "\(answer.head)")
            let object = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            if status != "200" { #expect((object?["error"] as? [String: Any])?["status"] as? Int == Int(status)) }
        }
        #expect(closed)
    }
}

/// A blocking TCP connection to 127.0.0.1 for hand-written HTTP. Every read gives up after 120 s: long, because in a
/// full parallel test run the service's request handling waits for threads busy with other tests (a 10 s limit
/// failed there), and a read that succeeds returns as soon as its bytes arrive.
final class RawConnection: @unchecked Sendable {  // used by one thread at a time
    private let descriptor: Int32
    private var buffered: [UInt8] = []

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 120, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads more bytes into the buffer; false at end of stream, on error or after the timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffered += chunk[0..<count]
        return true
    }

    /// The next response head's status line (the head is consumed); "" when none arrives.
    func head() -> String {
        let marker = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffered.firstRange(of: marker) {
                let head = String(decoding: buffered[..<end.lowerBound], as: UTF8.self)
                buffered.removeSubrange(..<end.upperBound)
                return head
            }
            guard fill() else { return "" }
        }
    }

    /// The next final response: its head and its Content-Length body.
    func response() -> (head: String, body: String) {
        let head = head()
        let length = head.split(separator: "\r\n").compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        while buffered.count < length { guard fill() else { break } }
        let body = String(decoding: buffered.prefix(length), as: UTF8.self)
        buffered.removeFirst(min(length, buffered.count))
        return (head, body)
    }

    /// Whether the peer has closed its side (a read returns end of stream rather than data or a timeout).
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }
}
