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
        eventsWritten = registry.makeCounter(descriptor: Self.name(
            "events_written", unit: "total", help: "Events stored durably and acknowledged."))
        interestRecomputations = registry.makeCounter(descriptor: Self.name(
            "interest_recomputations", unit: "total", help: "Users whose interests were extracted again after an event."))
        modelReloads = registry.makeCounter(descriptor: Self.name(
            "model_reloads", unit: "total", help: "Models loaded by SIGHUP or /v1/admin/reload."))
        users = registry.makeGauge(descriptor: Self.name("users", unit: "", help: "Users with at least one stored event."))
    }

    /// `mind_<metric>_<unit>` (the unit left out when empty), the names the service has always exposed.
    static func name(_ metric: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "mind", metricName: metric, unitName: unit, helpText: help)
    }

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.name("http_requests", unit: "total", help: "HTTP requests answered, by route template, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.name(
                "http_request_duration", unit: "seconds", help: "Time from the request to its answer, by route template."),
            labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets
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
