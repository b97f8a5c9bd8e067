import Hummingbird
import Prometheus

/// The service's Prometheus metrics, in a registry of its own (no process-wide metrics system is bootstrapped):
/// requests by route, method and status, latency per route, events written, interests recomputed, users, models
/// loaded.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// Latency buckets from 100 µs to 10 s: a recommendation takes around a millisecond, a reload seconds.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(10),
    ]

    let eventsWritten: Counter
    let interestRecomputations: Counter
    let modelReloads: Counter
    let users: Gauge

    public init() {
        eventsWritten = registry.makeCounter(name: "mind_events_written_total", help: "Events stored durably and acknowledged.")
        interestRecomputations = registry.makeCounter(
            name: "mind_interest_recomputations_total", help: "Users whose interests were extracted again after an event.")
        modelReloads = registry.makeCounter(name: "mind_model_reloads_total", help: "Models loaded by SIGHUP or /v1/admin/reload.")
        users = registry.makeGauge(name: "mind_users", help: "Users with at least one stored event.")
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            name: "mind_http_requests_total", labels: [("route", route), ("method", method), ("status", String(status))],
            help: "HTTP requests answered, by route template, method and status."
        ).increment()
        registry.makeDurationHistogram(
            name: "mind_http_request_duration_seconds", labels: [("route", route), ("method", method)],
            buckets: Self.latencyBuckets, help: "Time from the request to its answer, by route template."
        ).record(duration)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return bytes
    }
}

/// Counts and times every answer, errors included (it runs outside the error middleware, so it sees their status).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.recordRequest(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            duration: ContinuousClock.now - start)
        return response
    }
}
