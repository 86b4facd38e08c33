// A release driver for the registrar path without sockets (see RegistrarPath): N unauthenticated
// REGISTERs (→ 401) and N authenticated REGISTERs (→ 200 after the in-memory group commit).
// Prints CPU time per REGISTER for each step. For instruction counts:
//   swift build -c release --product RegistrarPathProfile
//   valgrind --tool=callgrind --toggle-collect='*RegistrarPath*receive*' .build/release/RegistrarPathProfile 20000
//   perf record -g .build/release/RegistrarPathProfile 200000
import Foundation
import RegistrarPath

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let path = try await RegistrarPath(users: count)
let writer = Task.detached { try await path.runWriter() }

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func residentKB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

let challenges = path.challengeRequests(count: count, round: 0)
let authenticated = try path.authenticatedRequests(count: count, round: 0)
let rssStart = residentKB()
var start = cpuSeconds()
for request in challenges { path.receive(request) }
let challengeCPU = cpuSeconds() - start
precondition(path.sent(401) == count, "expected \(count) challenges, got \(path.sent(401))")

let rssChallenged = residentKB()
start = cpuSeconds()
for request in authenticated { path.receive(request) }
var spins = 0
while path.sent(200) < count, spins < 5_000_000 { await Task.yield(); spins += 1 }
precondition(path.sent(200) == count, "200s: \(path.sent(200)), 401s: \(path.sent(401)), 403: \(path.sent(403)), 400: \(path.sent(400))")
let registerCPU = cpuSeconds() - start
let rssRegistered = residentKB()
path.stopWriter()
_ = await writer.result

print(String(format: "REGISTER → 401: %.2f µs CPU each (%d)", challengeCPU / Double(count) * 1e6, count))
print(String(format: "REGISTER+Authorization → 200: %.2f µs CPU each, commit included (%d)", registerCPU / Double(count) * 1e6, count))
print(String(
    format: "resident memory per registration, transactions kept (no Timer J): challenge %.0f B, registered %.0f B",
    Double((rssChallenged - rssStart) * 1024) / Double(count), Double((rssRegistered - rssChallenged) * 1024) / Double(count)))
