@main struct Warm { static func main() {} }
