//! The monitor of libpod-libcontainer's containers, as a program of its own, for embedders
//! without a binary of their own to serve it (see `libpod_libcontainer::monitor`). Its
//! arguments (`--container ID`, `--exec-session ID`) only name what it serves, for `ps`: the
//! runtime writes its request on stdin.

fn main() -> std::process::ExitCode {
    libpod_libcontainer::monitor::main()
}
