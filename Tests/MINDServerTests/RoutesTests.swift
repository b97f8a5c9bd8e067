import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import MINDServer
import MINDServing
import Testing
import Yams

@Suite("mind serve routes, in-process")
struct RoutesTests {
    @Test func recommendForAHistoryMatchesTheRecommender() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try ServerFixture.service(in: scratch)
        let history = Array(ServerFixture.itemIDs[0..<12])
        let expected = try ServerFixture.recommender().recommend(history: history, count: 25)
        try await ServerFixture.withClient(service) { client in
            let payload = try JSONSerialization.data(withJSONObject: ["history": history, "n": 25])
            try await client.execute(uri: "/v1/recommend", method: .post, headers: jsonHeaders, body: ByteBuffer(bytes: payload)) { response in
                #expect(response.status == .ok)
                let answer = try json(response)
                #expect(answer["items"] as? [String] == expected.items)
                #expect((answer["interests"] as? [Int]) == expected.interests)
                let scores = try #require(answer["scores"] as? [Double])
                #expect(zip(scores, expected.scores).allSatisfy { Float($0) == $1 }, "scores survive the JSON round trip exactly")
                #expect(Set(expected.items).isDisjoint(with: history))
            }
        }
    }

    @Test func anEventChangesTheUsersNextRecommendation() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try ServerFixture.service(in: scratch)
        let engine = try ServerFixture.recommender()
        let first = Array(ServerFixture.itemIDs[0..<8])
        let events = first.enumerated().map { ["user": "alice", "item": $1, "timestamp": 1_000 + $0] as [String: Any] }
        try await ServerFixture.withClient(service) { client in
            let batch = try JSONSerialization.data(withJSONObject: ["events": events])
            try await client.execute(uri: "/v1/events", method: .post, headers: jsonHeaders, body: ByteBuffer(bytes: batch)) { response in
                #expect(response.status == .ok)
                let answer = try json(response)
                #expect(answer["written"] as? Int == 8)
                let sequences = try #require(answer["sequences"] as? [Int])
                #expect(sequences == sequences.sorted() && Set(sequences).count == 8)
            }
            var before: [String] = []
            try await client.execute(uri: "/v1/recommend", method: .post, headers: jsonHeaders, body: body(#"{"user": "alice", "n": 20}"#)) { response in
                #expect(response.status == .ok)
                before = try json(response)["items"] as? [String] ?? []
                #expect(before == engine.recommend(history: first, count: 20).items, "the user's stored history answers as the same history given inline")
            }
            // The item the user is about to see: one event later it is history and must not come back.
            let next = before[0]
            try await client.execute(uri: "/v1/events", method: .post, headers: jsonHeaders,
                                     body: body(#"{"user": "alice", "item": "\#(next)"}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/recommend", method: .post, headers: jsonHeaders, body: body(#"{"user": "alice", "n": 20}"#)) { response in
                let after = try json(response)["items"] as? [String] ?? []
                #expect(!after.contains(next))
                #expect(after == engine.recommend(history: first + [next], count: 20).items, "interests were recomputed with the new event")
            }
            try await client.execute(uri: "/v1/users/alice/history", method: .get) { response in
                let answer = try json(response)
                #expect(answer["items"] as? [String] == first + [next])
                let timestamps = try #require(answer["timestamps"] as? [Int])
                #expect(Array(timestamps.prefix(8)) == Array(1_000..<1_008))
            }
            try await client.execute(uri: "/v1/users/alice/interests?n=5", method: .get) { response in
                #expect(response.status == .ok)
                let interests = try #require(try json(response)["interests"] as? [[String: Any]])
                #expect(!interests.isEmpty)
                for interest in interests {
                    let items = try #require(interest["items"] as? [[String: Any]])
                    #expect(items.count == 5)
                    let behaviours = try #require(interest["behaviours"] as? [[String: Any]])
                    #expect(behaviours.allSatisfy { (first + [next]).contains($0["item"] as? String ?? "") })
                }
            }
        }
        #expect(service.metrics.registry.emitToString().contains("mind_events_written_total 9"))
    }

    /// Dashboards and alerts are written against these names and types: they must not drift with the metrics library.
    @Test func metricsKeepTheirNamesAndTypes() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try ServerFixture.service(in: scratch)
        try await ServerFixture.withClient(service) { client in
            let item = ServerFixture.itemIDs[0]
            try await client.execute(uri: "/v1/events", method: .post, headers: jsonHeaders, body: body(#"{"user": "u", "item": "\#(item)"}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/admin/reload", method: .post) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                let types = [
                    "mind_events_written_total": "counter", "mind_interest_recomputations_total": "counter",
                    "mind_model_reloads_total": "counter", "mind_users": "gauge", "mind_http_requests_total": "counter",
                    "mind_http_request_duration_seconds": "histogram",
                ]
                for (name, type) in types {
                    #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
                    #expect(text.contains("# HELP \(name) "), "\(name) has its help line")
                }
                #expect(text.contains("mind_events_written_total 1\n"))
                #expect(text.contains("mind_model_reloads_total 1\n"))
                #expect(text.contains("mind_users 1.0\n"), "the one user who wrote an event")
                #expect(text.contains(#"mind_http_requests_total{route="/v1/events",method="POST",status="200"} 1"#))
                #expect(text.contains(#"mind_http_request_duration_seconds_count{route="/v1/events",method="POST"} 1"#))
            }
        }
    }

    /// Every kind of bad request gets a 4xx JSON error with a message; none crashes or answers 5xx.
    @Test func badRequestsGetJSONErrors() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let token = "a-token-of-enough-length"
        let service = try ServerFixture.service(in: scratch, settings: ServiceSettings(maximumCount: 50, maximumBodyBytes: 4096, token: token))
        let item = ServerFixture.itemIDs[0]
        let auth: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        let cases: [(HTTPRequest.Method, String, String?, HTTPFields, HTTPResponse.Status, String)] = [
            (.post, "/v1/recommend", "", jsonHeaders, .badRequest, "no body"),
            (.post, "/v1/recommend", "{", jsonHeaders, .badRequest, "JSON"),
            (.post, "/v1/recommend", "[1,2]", jsonHeaders, .badRequest, "object"),
            (.post, "/v1/recommend", #"{"history": "1"}"#, jsonHeaders, .badRequest, "history"),
            (.post, "/v1/recommend", #"{"histroy": ["\#(item)"]}"#, jsonHeaders, .badRequest, "histroy"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 0}"#, jsonHeaders, .badRequest, "\"n\""),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 51}"#, jsonHeaders, .badRequest, "\"n\""),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 1e400}"#, jsonHeaders, .badRequest, "1e400"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 99999999999999999999}"#, jsonHeaders, .badRequest, "\"n\" must be within"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 3.5}"#, jsonHeaders, .badRequest, "\"n\" must be a whole number, not the number 3.5 (column "),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"]}}"#, jsonHeaders, .badRequest, "not valid JSON: text after the end"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)",]}"#, jsonHeaders, .badRequest, "a comma before ']' (in \"history\""),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "n": 2, "n": 3}"#, jsonHeaders, .badRequest, "field \"n\" appears twice"),
            (.post, "/v1/events", #"{"events": [{"user": "u", "item": "\#(item)", "user": "v"}]}"#, auth, .badRequest, "in \"events[0]\""),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"]"#, jsonHeaders, .badRequest, "not valid JSON"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "user": "u"}"#, jsonHeaders, .badRequest, "exactly one"),
            (.post, "/v1/recommend", #"{}"#, jsonHeaders, .badRequest, "exactly one"),
            (.post, "/v1/recommend", #"{"history": [""]}"#, jsonHeaders, .badRequest, "history[0]"),
            (.post, "/v1/recommend", #"{"history": [null]}"#, jsonHeaders, .badRequest, "history[0]"),
            (.post, "/v1/recommend", #"{"history": ["no-such-item"]}"#, jsonHeaders, .unprocessableContent, "history[0]"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "exclude": ["nope"]}"#, jsonHeaders, .unprocessableContent, "exclude[0]"),
            (.post, "/v1/recommend", #"{"history": ["\#(item)"], "profile": {"age": "3"}}"#, jsonHeaders, .unprocessableContent, "profile.age"),
            (.post, "/v1/recommend", #"{"user": "nobody"}"#, jsonHeaders, .notFound, "nobody"),
            (.post, "/v1/recommend", #"{"history": [\#(String(repeating: "\"\(item)\",", count: 1200))"\#(item)"]}"#, jsonHeaders, .contentTooLarge, "larger"),
            (.post, "/v1/recommend", "{\"history\": [\"\u{FF}\"]}", jsonHeaders, .unprocessableContent, "history[0]"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)"}"#, jsonHeaders, .unauthorized, "Bearer"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)"}"#, [.authorization: "Bearer wrong"], .unauthorized, "token"),
            (.post, "/v1/events", #"{"user": "u"}"#, auth, .badRequest, "item"),
            (.post, "/v1/events", #"{"user": "u", "item": "nope"}"#, auth, .unprocessableContent, "item"),
            (.post, "/v1/events", #"{"events": [{"user": "u", "item": "\#(item)"}, {"user": "u", "item": "nope"}]}"#, auth, .unprocessableContent, "events[1].item"),
            (.post, "/v1/events", #"{"events": []}"#, auth, .badRequest, "events"),
            (.post, "/v1/events", #"{"events": [{"user": "u", "item": "\#(item)", "extra": 1}]}"#, auth, .badRequest, "extra"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)", "timestamp": -5}"#, auth, .badRequest, "timestamp"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)", "timestamp": 1700000000000000}"#, auth, .badRequest, "timestamp"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)", "timestamp": 1.5}"#, auth, .badRequest, "\"timestamp\" must be a whole number"),
            (.post, "/v1/events", #"{"user": "u", "item": "\#(item)", "timestamp": 1e300}"#, auth, .badRequest, "\"timestamp\" must be within"),
            (.post, "/v1/events", #"{"events": [{"user": "u", "item": "\#(item)", "timestamp": 2.5}]}"#, auth, .badRequest, "\"events[0].timestamp\""),
            (.post, "/v1/events", #"{"user": "\#(String(repeating: "x", count: 300))", "item": "\#(item)"}"#, auth, .badRequest, "user"),
            (.post, "/v1/admin/reload", nil, [:], .unauthorized, "Bearer"),
            (.get, "/v1/users/nobody/history", nil, [:], .notFound, "nobody"),
            (.get, "/v1/users/nobody/interests", nil, [:], .notFound, "nobody"),
            (.get, "/v1/nothing-here", nil, [:], .notFound, "no route"),
            (.delete, "/v1/recommend", nil, [:], .methodNotAllowed, "answers POST"),
            (.get, "/v1/recommend", nil, [:], .methodNotAllowed, "answers POST"),
            (.post, "/v1/users/u/history", nil, auth, .methodNotAllowed, "answers GET, HEAD"),
            (.trace, "/healthz", nil, [:], .methodNotAllowed, "answers GET, HEAD, not TRACE"),
            (HTTPRequest.Method("PURGE")!, "/metrics", nil, [:], .methodNotAllowed, "answers GET, HEAD, not PURGE"),
            (.put, "/v1/users//history", nil, [:], .notFound, "no route"),
            (.get, "/v1/users/%ZZ/history", nil, [:], .badRequest, "percent-encoding"),
        ]
        try await ServerFixture.withClient(service) { client in
            for (method, uri, text, headers, status, fragment) in cases {
                try await client.execute(uri: uri, method: method, headers: headers, body: text.map { body($0) }) { response in
                    #expect(response.status == status, "\(method) \(uri) \(text ?? "")")
                    if status == .methodNotAllowed { #expect(response.headers[.allow] != nil, "\(method) \(uri)") }
                    let error = try json(response)["error"] as? [String: Any]
                    #expect(error?["status"] as? Int == Int(status.code))
                    let message = error?["message"] as? String ?? ""
                    #expect(!message.isEmpty && (fragment.isEmpty || message.contains(fragment)), "\(uri) \(text ?? ""): \(message)")
                }
            }
            // With the token, writes and reloads go through.
            try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: body(#"{"user": "u", "item": "\#(item)"}"#)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/admin/reload", method: .post, headers: auth) { response in
                #expect(response.status == .ok)
            }
            for query in ["n=0", "n=%2B5", "n=1&n=2", "n=5x"] {
                try await client.execute(uri: "/v1/users/u/interests?\(query)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(query)")
                }
            }
            try await client.execute(uri: "/v1/users/u/interests?n=5", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        let metrics = service.metrics.registry.emitToString()
        #expect(metrics.contains(#"mind_http_requests_total{route="/v1/recommend",method="POST",status="400"}"#))
        #expect(!metrics.contains(#"status="5"#), "no 5xx answer")
    }

    @Test func reloadWithoutAModelDirectoryIsAConflict() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let service = try ServerFixture.service(in: scratch, reloadable: false)
        try await ServerFixture.withClient(service) { client in
            try await client.execute(uri: "/v1/admin/reload", method: .post) { response in
                #expect(response.status == .conflict)
            }
            for path in ["/healthz", "/readyz"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    let answer = try json(response)
                    #expect(answer["items"] as? Int == ServerFixture.itemIDs.count)
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("mind_http_requests_total"))
            }
        }
    }

    /// A log deleted under the service takes it out of rotation: /readyz says why, and writes store nothing.
    @Test func readinessFollowsTheEventLog() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await ServerFixture.withClient(try ServerFixture.service(in: scratch)) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in #expect(response.status == .ok) }
            try FileManager.default.removeItem(at: scratch.appendingPathComponent("events.sqlite"))
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("not ready: the log file was deleted"))
            }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    /// HEAD gets GET's status and headers, Content-Length included, and never a body: errors and 405s too; the
    /// metrics count it as HEAD.
    @Test func headIsAnsweredLikeGetWithoutABody() async throws {
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await ServerFixture.withClient(try ServerFixture.service(in: scratch)) { client in
            for path in ["/healthz", "/readyz", "/openapi.yaml", "/v1/users/nobody/history"] {
                let (status, length) = try await client.execute(uri: path, method: .get) { response in
                    (response.status, response.headers[.contentLength])
                }
                try await client.execute(uri: path, method: .head) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(response.headers[.contentLength] == length, "\(path)")
                    #expect(response.body.readableBytes == 0, "\(path)")
                }
            }
            try await client.execute(uri: "/v1/recommend", method: .head) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(response.headers[.contentLength] != nil)  // of the error naming HEAD, which is not sent
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/nowhere", method: .head) { response in
                #expect(response.status == .notFound)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"mind_http_requests_total{route="/healthz",method="HEAD",status="200"} 1"#))
                #expect(text.contains(#"mind_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
            }
        }
    }

    /// The OpenAPI document describes exactly the routes the router serves.
    @Test func openAPIDocumentMatchesTheRoutes() async throws {
        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(ServiceRoute.allCases.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == served)
        let scratch = try ServerFixture.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await ServerFixture.withClient(try ServerFixture.service(in: scratch)) { client in
            let served = try await client.execute(uri: "/openapi.yaml", method: .get) { String(buffer: $0.body) }
            #expect(served == OpenAPIDocument.served(catalogue: ServerFixture.itemIDs))
            // Its request examples name items of the model, and each example is answered with a 200.
            let document = try #require(try Yams.load(yaml: served) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: Any])
            var tried = 0
            for path in ["/v1/events", "/v1/recommend"] {
                let post = try #require((paths[path] as? [String: Any])?["post"] as? [String: Any])
                let content = try #require(((post["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any])
                let examples = try #require(content["examples"] as? [String: [String: Any]])
                for (name, example) in examples.sorted(by: { $0.key > $1.key }) {  // events "one" before "batch"
                    let body = try JSONSerialization.data(withJSONObject: try #require(example["value"]))
                    try await client.execute(uri: path, method: .post, headers: jsonHeaders, body: ByteBuffer(bytes: body)) { response in
                        #expect(response.status == .ok, "\(path) example \(name): \(String(buffer: response.body))")
                    }
                    tried += 1
                }
            }
            #expect(tried == 4)
        }
        // Ids YAML would need escapes for are passed over; with none left there are no examples.
        #expect(OpenAPIDocument.served(catalogue: ["a\"b", "tab\there"]) == OpenAPIDocument.yaml)
        #expect(OpenAPIDocument.served(catalogue: ["a\"b", "Heat (1995)"]).contains(#"item: "Heat (1995)""#))
    }
}
