/** Messages shared by every command: errors, help, source notes. */
export const common = {
  en: {
    'error.prefix': 'tcpdoctor: error',
    'error.hint': 'hint',
    'help.usage': 'Usage',
    'help.commands': 'Commands',
    'help.options': 'Options',
    'help.global': 'Global options',
    'note.source': 'source: {source}',
    'note.fallback': 'netlink unavailable ({reason}); read /proc instead',
    'note.owners.denied': '{n} processes could not be read (permission): their sockets show no owner; run as root to see them',
    'note.interrupted': 'the socket table changed during the dump; counts may be off by a few',
  },
  zh: {
    'error.prefix': 'tcpdoctor: 错误',
    'error.hint': '提示',
    'help.usage': '用法',
    'help.commands': '命令',
    'help.options': '选项',
    'help.global': '全局选项',
    'note.source': '数据来源: {source}',
    'note.fallback': 'netlink 不可用 ({reason}); 改为读取 /proc',
    'note.owners.denied': '有 {n} 个进程无权读取: 它们的套接字不显示所属进程; 以 root 运行可见',
    'note.interrupted': '转储期间套接字表发生了变化; 计数可能有少量偏差',
  },
} as const
