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
    'capture.diag.note': 'capture {seconds} s: {packets} SYN/FIN/RST segments ({dropped} dropped by the kernel): {parts}',
    'capture.diag.refused': 'refused connects (target x count (clients)): {list}',
    'capture.diag.resets': 'resets (service ->/<- peer): {list}',
    'capture.diag.synRetrans': 'retransmitted SYNs (target x count (answered/connections)): {list}',
  },
  zh: {
    'capture.listening': '正在监听 {iface}{netns}，链路类型 {link}，快照长度 {snaplen} 字节，过滤器：{filter}',
    'capture.dropped': '打开套接字后已降权为 {user}（uid {uid}）',
    'capture.stats.captured': '捕获 {n} 个数据包',
    'capture.stats.received': '过滤器接收 {n} 个数据包',
    'capture.stats.dropped': '内核丢弃 {n} 个数据包',
    'capture.state': '  连接 {stream} {client} > {server}：{side} {from} -> {to}',
    'capture.writing': '正在写入 {file}',
    'capture.diag.note': '抓包 {seconds} 秒：{packets} 个 SYN/FIN/RST 报文段（内核丢弃 {dropped} 个）：{parts}',
    'capture.diag.refused': '被拒绝的连接（目标 x 次数（客户端））：{list}',
    'capture.diag.resets': '复位（服务 ->/<- 对端）：{list}',
    'capture.diag.synRetrans': '重传的 SYN（目标 x 次数（已应答/连接数））：{list}',
  },
} as const
