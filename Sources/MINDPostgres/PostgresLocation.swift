import Foundation
import PostgresNIO

/// Where a database is: parsed from `postgres://user:password@host:port/database[?sslmode=disable|prefer|require]`.
public struct PostgresLocation: Sendable, Equatable {
    /// How the connection uses TLS (libpq's `sslmode` names; `disable` by default, as for a loopback server).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    /// Server host name or address.
    public let host: String
    /// Server port (5432 unless the URL says otherwise).
    public let port: Int
    /// User name.
    public let user: String
    /// Password, percent-decoded; nil when the URL has none (trust or peer authentication).
    public let password: String?
    /// Database name (the user name unless the URL gives a path).
    public let database: String
    /// TLS use, from `sslmode`.
    public let tls: TLSMode

    /// The URL with the password hidden: what error messages show.
    public var redacted: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }

    /// Parses a `postgres://` or `postgresql://` URL; the database defaults to the user name and the port to 5432.
    public init(url: String) throws {
        func fail(_ reason: String) -> PGVectorError {
            // The URL may hold a password: show only what precedes it.
            let shown = url.range(of: "@").map { "postgres://...@" + url[$0.upperBound...] } ?? url
            return .invalidURL(String(shown), reason: reason)
        }
        guard let components = URLComponents(string: url) else { throw fail("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw fail("the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw fail("no host") }
        guard let user = components.user, !user.isEmpty else { throw fail("no user name") }
        if let port = components.port, !(1...65535).contains(port) { throw fail("port \(port) is out of range") }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        guard !database.contains("/") else { throw fail("the path must be one database name") }
        var tls = TLSMode.disable
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw fail("unknown parameter '\(item.name)' (only sslmode is understood)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw fail("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.password
        self.database = database.isEmpty ? user : (database.removingPercentEncoding ?? database)
        self.tls = tls
    }

    /// The postgres-nio configuration for this location.
    func configuration() throws -> PostgresConnection.Configuration {
        let tlsSetting: PostgresConnection.Configuration.TLS
        do {
            switch tls {
            case .disable: tlsSetting = .disable
            case .prefer: tlsSetting = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tlsSetting = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw PGVectorError.connectionFailed(url: redacted, reason: "cannot set up TLS: \(error)")
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsSetting)
    }
}

/// Table names are spliced into SQL (COPY and DDL take no parameters), so only plain identifiers are accepted.
enum TableName {
    /// Room for the `_loading` suffix and index suffixes within PostgreSQL's 63-byte identifiers.
    static let maximumLength = 48

    /// `name` if it is a plain identifier; it is always used double-quoted, so its case is kept.
    static func validated(_ name: String) throws -> String {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, scalars.count <= maximumLength,
              first == "_" || (first.isASCII && CharacterSet.letters.contains(first)),
              scalars.allSatisfy({ $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) })
        else { throw PGVectorError.invalidTableName(name) }
        return name
    }

    /// `"name"`: the quoted identifier.
    static func quoted(_ name: String) -> String { "\"\(name)\"" }
}
