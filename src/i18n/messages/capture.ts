/** Messages of `capture`. */
export const capture = {
  en: {
    'capture.listening': 'listening on {iface}{netns}, link-type {link}, snapshot length {snaplen} bytes, filter: {filter}',
    'capture.dropped': 'dropped privileges to {user} (uid {uid}) after opening the socket',
    'capture.stats.captured': '{n} packets captured',
    'capture.stats.received': '{n} packets received by filter',
    'capture.stats.dropped': '{n} packets dropped by kernel',
    'capture.state': '  conn {stream} {client} > {server}: {side} {from} -> {to}',
    'capture.writing': 'writing {file}',
  },
  zh: {
    'capture.listening': '正在监听 {iface}{netns}，链路类型 {link}，快照长度 {snaplen} 字节，过滤器：{filter}',
    'capture.dropped': '打开套接字后已降权为 {user}（uid {uid}）',
    'capture.stats.captured': '捕获 {n} 个数据包',
    'capture.stats.received': '过滤器接收 {n} 个数据包',
    'capture.stats.dropped': '内核丢弃 {n} 个数据包',
    'capture.state': '  连接 {stream} {client} > {server}：{side} {from} -> {to}',
    'capture.writing': '正在写入 {file}',
  },
} as const
