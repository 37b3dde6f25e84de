{
  "targets": [
    {
      "target_name": "tcpdoctor",
      "sources": ["src/diag.c", "src/fdwalk.c", "src/btf.c", "src/bpfiter.c", "src/tcpiter.c", "src/rstwatch.c", "src/rstwatch-binding.c", "src/sockopt.c", "src/errname.c", "src/probe.c", "src/probe-binding.c", "src/nsread.c", "src/nsread-binding.c", "src/packet.c", "src/binding.c"],
      "include_dirs": ["include"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"],
      "libraries": ["-lpthread"]
    }
  ]
}
