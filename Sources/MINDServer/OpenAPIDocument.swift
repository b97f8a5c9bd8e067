/// The OpenAPI 3.1 description of the service, served at `GET /openapi.yaml`. `ServiceRoute.allCases` is the
/// list of routes the router registers; a test checks that this document describes exactly those, and
/// `scripts/schemathesis.sh` checks live answers against the schemas below.
public enum OpenAPIDocument {
    /// The document as served for a model: the request examples name items of its catalogue, so that a client
    /// trying them (and schemathesis's example phase) reaches the answers of success, not only 422s for unknown
    /// items. Ids that would need escaping in YAML are passed over; with none left, the document has no examples.
    public static func served(catalogue: [String]) -> String {
        let plain = catalogue.lazy.filter { id in
            !id.isEmpty && !id.unicodeScalars.contains { $0.value < 0x20 || $0 == "\"" || $0 == "\\" || $0.value == 0x7F }
        }
        let items = Array(plain.prefix(2)).map { "\"\($0)\"" }
        guard let first = items.first else { return yaml }
        let second = items.last ?? first
        // Siblings of the request body's `schema` (12 spaces in), one example a line below them.
        func examples(_ lines: [String]) -> String {
            (["examples:"] + lines.map { "  " + $0 }).map { String(repeating: " ", count: 12) + $0 }.joined(separator: "\n")
        }
        let recommend = examples([
            "history: {value: {history: [\(first), \(second)], n: 5}}",
            "user: {value: {user: example-user, n: 5, exclude: [\(first)]}}",
        ])
        let events = examples([
            "one: {value: {user: example-user, item: \(first)}}",
            "batch: {value: {events: [{user: example-user, item: \(first), timestamp: 1700000000}, {user: example-user, item: \(second)}]}}",
        ])
        return yaml
            .replacingOccurrences(of: recommendSchemaLine, with: recommendSchemaLine + "\n" + recommend)
            .replacingOccurrences(of: eventsSchemaEnd, with: eventsSchemaEnd + "\n" + events)
    }

    /// The lines after which `served` puts the request examples.
    static let recommendSchemaLine = "            schema: {$ref: \"#/components/schemas/RecommendRequest\"}"
    static let eventsSchemaEnd = "                - {$ref: \"#/components/schemas/EventBatch\"}"

    public static let yaml = """
    openapi: 3.1.0
    info:
      title: mind serve
      version: "1"
      description: >-
        Multi-interest recommendation (MIND) over HTTP. Each user's interests follow their newest events at once.
        Errors are JSON: {"error": {"status": 400, "message": "..."}}.
    servers:
      - url: /
        description: The service that serves this document (--host, --port).
    components:
      securitySchemes:
        bearer:
          type: http
          scheme: bearer
          description: Needed for writes when the service runs with --token-file.
      schemas:
        Id:
          description: An item or user id, as a string or an integer.
          oneOf:
            - type: string
              minLength: 1
              maxLength: 256
            - type: integer
        RecommendRequest:
          type: object
          description: Exactly one of user (the stored history, events included) and history.
          additionalProperties: false
          properties:
            user: {$ref: "#/components/schemas/Id"}
            history:
              type: array
              maxItems: 10000
              items: {$ref: "#/components/schemas/Id"}
            profile:
              type: object
              additionalProperties: {$ref: "#/components/schemas/Id"}
            n:
              type: integer
              minimum: 1
              default: 100
              description: Number of items, at most the service's cap (1000 unless --max-n says otherwise).
            exclude:
              type: array
              maxItems: 10000
              items: {$ref: "#/components/schemas/Id"}
        Recommendation:
          type: object
          required: [user, items, scores, interests]
          properties:
            user: {type: string}
            items:
              type: array
              items: {type: string}
            scores:
              type: array
              items: {type: [number, "null"]}
            interests:
              type: array
              description: The interest that retrieved each item; -1 for the popularity fallback.
              items: {type: integer}
        Event:
          type: object
          additionalProperties: false
          required: [user, item]
          properties:
            user: {$ref: "#/components/schemas/Id"}
            item: {$ref: "#/components/schemas/Id"}
            timestamp:
              type: integer
              minimum: 0
              maximum: 253402300799
              description: Seconds since 1970; the time of arrival when absent.
        EventBatch:
          type: object
          additionalProperties: false
          required: [events]
          properties:
            events:
              type: array
              minItems: 1
              maxItems: 10000
              items: {$ref: "#/components/schemas/Event"}
        EventsWritten:
          type: object
          required: [written, sequences]
          properties:
            written: {type: integer}
            sequences:
              type: array
              items: {type: integer}
        History:
          type: object
          required: [user, items, timestamps]
          properties:
            user: {type: string}
            items:
              type: array
              items: {type: string}
            timestamps:
              type: array
              items: {type: integer}
        Interests:
          type: object
          required: [user, interests]
          properties:
            user: {type: string}
            interests:
              type: array
              items:
                type: object
                required: [interest, items, behaviours]
                properties:
                  interest: {type: integer}
                  items:
                    type: array
                    items:
                      type: object
                      required: [item, score]
                      properties:
                        item: {type: string}
                        score: {type: [number, "null"]}
                  behaviours:
                    type: array
                    items:
                      type: object
                      required: [item, weight]
                      properties:
                        item: {type: string}
                        weight: {type: [number, "null"]}
        Status:
          type: object
          required: [status]
          properties:
            status: {type: string}
            model: {type: string}
            items: {type: integer}
            users: {type: integer}
            last_sequence: {type: integer}
        Error:
          type: object
          required: [error]
          properties:
            error:
              type: object
              required: [status, message]
              properties:
                status: {type: integer}
                message: {type: string}
      responses:
        BadRequest:
          description: Malformed JSON, a wrong type, an unknown field or a value out of range.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        NotFound:
          description: No such user (no stored event).
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        TooLarge:
          description: The body is larger than the service accepts.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        Unprocessable:
          description: An item id that is not in the model's catalogue, or a profile field the model does not read.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        Unauthorized:
          description: A missing or wrong bearer token (only with --token-file).
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
        Unavailable:
          description: The event store cannot write; nothing of the request was stored.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Error"}
    paths:
      /v1/recommend:
        post:
          operationId: recommend
          summary: Top-n items for a stored user or a given history, each with its score and interest.
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/RecommendRequest"}
          responses:
            "200":
              description: Items best first.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Recommendation"}
            "400": {$ref: "#/components/responses/BadRequest"}
            "404": {$ref: "#/components/responses/NotFound"}
            "413": {$ref: "#/components/responses/TooLarge"}
            "422": {$ref: "#/components/responses/Unprocessable"}
      /v1/events:
        post:
          operationId: writeEvents
          summary: Stores one event or a batch durably, then recomputes the users' interests.
          security:
            - {}
            - bearer: []
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  oneOf:
                    - {$ref: "#/components/schemas/Event"}
                    - {$ref: "#/components/schemas/EventBatch"}
          responses:
            "200":
              description: Every event is durable; their sequence numbers in the log.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/EventsWritten"}
            "400": {$ref: "#/components/responses/BadRequest"}
            "401": {$ref: "#/components/responses/Unauthorized"}
            "413": {$ref: "#/components/responses/TooLarge"}
            "422": {$ref: "#/components/responses/Unprocessable"}
            "503": {$ref: "#/components/responses/Unavailable"}
      /v1/users/{id}/history:
        get:
          operationId: userHistory
          summary: The user's stored events, in the order they were written (their timestamps as given).
          parameters:
            - {name: id, in: path, required: true, description: "A user id: at most 256 bytes of UTF-8.", schema: {type: string, minLength: 1, maxLength: 256}}
          responses:
            "200":
              description: The history.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/History"}
            "400": {$ref: "#/components/responses/BadRequest"}
            "404": {$ref: "#/components/responses/NotFound"}
      /v1/users/{id}/interests:
        get:
          operationId: userInterests
          summary: Each active interest of the user with its top items and the behaviours it draws on.
          parameters:
            - {name: id, in: path, required: true, description: "A user id: at most 256 bytes of UTF-8.", schema: {type: string, minLength: 1, maxLength: 256}}
            - {name: n, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 100, default: 10}}
          responses:
            "200":
              description: The interests.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Interests"}
            "400": {$ref: "#/components/responses/BadRequest"}
            "404": {$ref: "#/components/responses/NotFound"}
      /v1/admin/reload:
        post:
          operationId: reload
          summary: Reloads the model directory (as SIGHUP does) without dropping requests.
          security:
            - {}
            - bearer: []
          responses:
            "200":
              description: The new model answers from now on.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Status"}
            "401": {$ref: "#/components/responses/Unauthorized"}
            "409":
              description: The model directory could not be loaded; the previous model keeps answering.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
      /healthz:
        get:
          operationId: health
          summary: The process answers.
          responses:
            "200":
              description: Alive.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Status"}
      /readyz:
        get:
          operationId: ready
          summary: The model and its index are loaded, the event log replayed, and the log can keep writes.
          responses:
            "200":
              description: Ready.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Status"}
            "503":
              description: The event log can no longer keep writes (its file was deleted or replaced); restart the service.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
      /metrics:
        get:
          operationId: metrics
          summary: Prometheus metrics.
          responses:
            "200":
              description: Prometheus text format.
              content:
                text/plain:
                  schema: {type: string}
      /openapi.yaml:
        get:
          operationId: openapi
          summary: This document.
          responses:
            "200":
              description: OpenAPI 3.1.
              content:
                application/yaml:
                  schema: {type: string}

    """
}
