/** Notes of diagnose and snapshot replay: what could not be read, and what that means. */
export const notes = {
  en: {
    'note.doctor.procfs': '{netns}: sockets from /proc ({reason})',
    'note.doctor.interrupted': '{netns}: the socket dump was interrupted (tables changed meanwhile)',
    'note.doctor.denied': '{n} processes could not be inspected: owners may be missing (run as root)',
    'note.doctor.noSysctls': '{netns}: sysctls could not be read ({why}); sysctl-based checks did not run',
    'note.doctor.noCounters': '{netns}: no counters ({why})',
    'note.doctor.namespaceVanished': 'the namespace vanished',
    'note.doctor.noKernelLog': 'kernel log not read: {why}',
    'note.doctor.replayed': 'replayed from {file} (taken {takenAt} on {host})',
    'note.doctor.oldSnapshot': 'the snapshot has no counters, sysctls or kernel log (made by an older tcpdoctor): only socket-based checks ran',
  },
  zh: {
    'note.doctor.procfs': '{netns}: 套接字读自 /proc ({reason})',
    'note.doctor.interrupted': '{netns}: 套接字转储被打断 (期间套接字表有变化)',
    'note.doctor.denied': '有 {n} 个进程无法检查: 可能缺少所属进程 (请以 root 运行)',
    'note.doctor.noSysctls': '{netns}: 无法读取 sysctl ({why}); 依赖 sysctl 的检查未运行',
    'note.doctor.noCounters': '{netns}: 没有计数器 ({why})',
    'note.doctor.namespaceVanished': '命名空间已消失',
    'note.doctor.noKernelLog': '未读取内核日志: {why}',
    'note.doctor.replayed': '回放自 {file} (拍摄于 {takenAt}, 主机 {host})',
    'note.doctor.oldSnapshot': '快照中没有计数器、sysctl 或内核日志 (由旧版 tcpdoctor 生成): 只运行了基于套接字的检查',
  },
} as const
