use super::*;

const HYBRID: &str = "9:name=systemd:/\n8:pids:/libpod_parent/libpod-abc\n7:blkio:/libpod_parent/libpod-abc\n4:memory:/libpod_parent/libpod-abc\n2:cpu,cpuacct:/libpod_parent/libpod-abc\n0::/\n";

#[test]
fn v1_controllers_each_get_their_directory() {
    let Cgroup::V1(dirs) = Cgroup::parse(HYBRID, false, Path::new("/cg")) else {
        panic!("v1 expected");
    };
    assert_eq!(
        dirs["memory"],
        Path::new("/cg/memory/libpod_parent/libpod-abc")
    );
    assert_eq!(
        dirs["cpuacct"],
        Path::new("/cg/cpuacct/libpod_parent/libpod-abc")
    );
    assert_eq!(dirs["cpu"], Path::new("/cg/cpu/libpod_parent/libpod-abc"));
    assert!(!dirs.contains_key("name=systemd"));
}

#[test]
fn the_unified_line_counts_only_on_cgroup2() {
    let text = "0::/machine.slice/libpod-abc.scope\n";
    assert_eq!(
        Cgroup::parse(text, true, Path::new("/cg")),
        Cgroup::V2(PathBuf::from("/cg/machine.slice/libpod-abc.scope"))
    );
}

#[test]
fn v2_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "cpu.stat",
        "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n",
    );
    write("memory.stat", "anon 67108864\nfile 4096\n");
    write("memory.max", "max\n");
    write("pids.current", "3\n");
    write(
        "io.stat",
        "8:0 rbytes=100 wbytes=20 rios=1 wios=1\n8:16 rbytes=1 wbytes=2\n",
    );
    write("cgroup.procs", "10\n11\n");
    let cgroup = Cgroup::V2(dir.path().to_path_buf());
    let sample = cgroup.sample().unwrap();
    assert_eq!(
        sample,
        Sample {
            cpu_nano: 2_500_000,
            cpu_system_nano: 500_000,
            mem_usage: 67_108_864,
            mem_limit: u64::MAX,
            pids: 3,
            block_read: 101,
            block_write: 22,
        }
    );
    assert_eq!(cgroup.processes().unwrap(), [10, 11]);
}

#[test]
fn v1_files_are_read_with_blkio_falling_back_to_throttling() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let put = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    put("cpuacct/c/cpuacct.usage", "123456789\n");
    put("cpuacct/c/cpuacct.stat", "user 10\nsystem 3\n");
    put("memory/c/memory.usage_in_bytes", "1048576\n");
    put("memory/c/memory.limit_in_bytes", "9223372036854771712\n");
    put("pids/c/pids.current", "2\n");
    put("blkio/c/blkio.io_service_bytes_recursive", "Total 0\n");
    put(
        "blkio/c/blkio.throttle.io_service_bytes_recursive",
        "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n",
    );
    let text = "5:pids:/c\n4:memory:/c\n3:blkio:/c\n2:cpuacct:/c\n";
    let sample = Cgroup::parse(text, false, root).sample().unwrap();
    assert_eq!(sample.cpu_nano, 123_456_789);
    assert_eq!(sample.cpu_system_nano, 30_000_000);
    assert_eq!(sample.mem_usage, 1_048_576);
    assert_eq!(sample.mem_limit, 9_223_372_036_854_771_712);
    assert_eq!(sample.pids, 2);
    assert_eq!((sample.block_read, sample.block_write), (4096, 8192));
}
