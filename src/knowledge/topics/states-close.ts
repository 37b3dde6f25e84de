/**
 * @module
 * The states of closing: FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT.
 * RFC 9293 section 3.6; ip-sysctl.rst (tcp_fin_timeout, tcp_orphan_retries); include/net/tcp.h.
 */
import { topic } from '../types.js'

export const statesClose = [
  topic({
    id: 'fin-wait-1',
    kind: 'state',
    aliases: ['FIN_WAIT1', 'FIN_WAIT_1', 'FIN-WAIT-1', 'FINWAIT1', 'TCP_FIN_WAIT1'],
    seeAlso: ['fin-wait-2', 'teardown', 'orphan-sockets', 'tcp_orphan_retries', 'tcp_max_orphans', 'simultaneous-close'],
    refs: ['RFC 9293 3.6', 'ip-sysctl.rst tcp_orphan_retries'],
    en: {
      title: 'FIN_WAIT_1',
      summary: 'This side closed first (active close): it sent FIN and waits for the peer to acknowledge it. Many of them mean the peer does not answer or its window is full.',
      body: [
        'close() or shutdown(SHUT_WR) sends FIN after any queued data. The ACK of the FIN moves the socket to FIN_WAIT_2; a FIN from the peer first moves it to CLOSING (simultaneous close); a FIN carrying the ACK of ours goes straight to TIME_WAIT.',
        'FIN_WAIT_1 lasts while the FIN (or data queued before it) cannot be delivered: the peer is gone, the path drops packets, or the peer advertises a zero window. After close() the socket is an orphan (no file descriptor) and the kernel retransmits tcp_orphan_retries times (0 means 8) before it resets the connection; beyond tcp_max_orphans orphans are reset at once ("too many orphaned sockets").',
        'The article sees many FIN_WAIT_1 after a server with many clients is shut down: the clients never acknowledged. That is FIN_WAIT_1_PILEUP. ss -K (CAP_NET_ADMIN, CONFIG_INET_DIAG_DESTROY) can kill them instead of waiting.',
      ].join('\n\n'),
    },
    zh: {
      title: 'FIN_WAIT_1（终止等待 1）',
      summary: '本端先关闭（主动关闭）：已发出 FIN，等待对端确认。大量出现说明对端不响应，或对端接收窗口已满。',
      body: [
        'close() 或 shutdown(SHUT_WR) 在已排队的数据之后发出 FIN。收到对 FIN 的 ACK 后进入 FIN_WAIT_2；先收到对端的 FIN 则进入 CLOSING（同时关闭）；收到同时确认了我方 FIN 的 FIN 则直接进入 TIME_WAIT。',
        '只要 FIN（或其前面排队的数据）无法送达，就会停留在 FIN_WAIT_1：对端已消失、路径丢包，或对端通告零窗口。close() 之后套接字成为孤儿（没有文件描述符），内核重传 tcp_orphan_retries 次（0 表示 8 次）后重置连接；孤儿数超过 tcp_max_orphans 时立即重置（“too many orphaned sockets”）。',
        '原文中，有大量客户端的服务器被关闭后出现很多 FIN_WAIT_1：客户端始终没有确认。这就是 FIN_WAIT_1_PILEUP。可以用 ss -K（需要 CAP_NET_ADMIN 和 CONFIG_INET_DIAG_DESTROY）直接清除，而不必等待。',
      ].join('\n\n'),
      aliases: ['终止等待1', '终止等待 1', 'FIN等待1'],
    },
  }),
  topic({
    id: 'fin-wait-2',
    kind: 'state',
    aliases: ['FIN_WAIT2', 'FIN_WAIT_2', 'FIN-WAIT-2', 'FINWAIT2', 'TCP_FIN_WAIT2'],
    seeAlso: ['fin-wait-1', 'half-close', 'tcp_fin_timeout', 'close-wait', 'teardown'],
    refs: ['RFC 9293 3.6', 'ip-sysctl.rst tcp_fin_timeout'],
    en: {
      title: 'FIN_WAIT_2',
      summary: 'Our FIN was acknowledged; we wait for the peer to send its FIN. The connection is half-closed: the peer may still send data to us.',
      body: [
        'This is the half-close of TCP: our direction is closed, the peer direction is still open. It lasts as long as the peer application keeps its side open; the peer socket meanwhile sits in CLOSE_WAIT.',
        'If our application still holds the socket (it used shutdown(SHUT_WR)), FIN_WAIT_2 can last indefinitely, by design. If our side called close(), the socket is an orphan and the kernel waits at most tcp_fin_timeout seconds (default 60) for the peer FIN, then drops it. That is all tcp_fin_timeout does: it does not shorten TIME_WAIT.',
        'Many FIN_WAIT_2 on one side usually mirror many CLOSE_WAIT on the other: the peer application does not close its sockets (FIN_WAIT_2_PILEUP).',
      ].join('\n\n'),
    },
    zh: {
      title: 'FIN_WAIT_2（终止等待 2）',
      summary: '我方 FIN 已被确认，正在等待对端发送 FIN。连接处于半关闭：对端仍可向我们发送数据。',
      body: [
        '这就是 TCP 的半关闭：我方方向已关闭，对端方向仍打开。只要对端应用程序不关闭它那一侧，这个状态就持续；此时对端套接字处于 CLOSE_WAIT。',
        '如果本端应用程序仍持有套接字(用的是 shutdown(SHUT_WR)),FIN_WAIT_2 按设计可以无限期持续。如果本端调用了 close()，套接字成为孤儿，内核最多等待 tcp_fin_timeout 秒（默认 60）等对端的 FIN，然后丢弃它。tcp_fin_timeout 的作用仅此而已：它不会缩短 TIME_WAIT。',
        '一端出现大量 FIN_WAIT_2，通常对应另一端大量的 CLOSE_WAIT：对端应用程序没有关闭套接字（FIN_WAIT_2_PILEUP）。',
      ].join('\n\n'),
      aliases: ['终止等待2', '终止等待 2', 'FIN等待2'],
    },
  }),
  topic({
    id: 'close-wait',
    kind: 'state',
    aliases: ['CLOSE_WAIT', 'CLOSE-WAIT', 'CLOSEWAIT', 'TCP_CLOSE_WAIT'],
    seeAlso: ['last-ack', 'fin-wait-2', 'teardown', 'half-close', 'keepalive'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'CLOSE_WAIT',
      summary: 'The peer closed its side (we received FIN and acknowledged it); the kernel now waits for OUR application to call close(). Many CLOSE_WAIT = a bug in the local program: it does not close sockets.',
      body: [
        'CLOSE_WAIT is the passive closer waiting for its own application. read() returns 0 (end of file) to tell the program; a correct program then closes the socket, which sends our FIN and moves to LAST_ACK.',
        'There is no kernel timer for CLOSE_WAIT and no sysctl that ends it: it lasts until the file descriptor is closed, even for days. Keepalive cannot help either (the peer already left); at most a failed send turns it into an error the program still has to handle.',
        'The fix is in the program: find the owner and its missing close() (leaked connections in a pool, an exception path that skips close, a thread blocked elsewhere).',
        '$ tcpdoctor who :PORT\n$ tcpdoctor sockets state close-wait --process',
      ].join('\n\n'),
    },
    zh: {
      title: 'CLOSE_WAIT（关闭等待）',
      summary: '对端已关闭它那一侧（我们收到并确认了 FIN）；内核正在等待“我们的”应用程序调用 close()。大量 CLOSE_WAIT = 本机程序的缺陷：它没有关闭套接字。',
      body: [
        'CLOSE_WAIT 是被动关闭方在等待自己的应用程序。read() 返回 0（文件结束）通知程序；正确的程序随后关闭套接字，发出我方 FIN 并进入 LAST_ACK。',
        'CLOSE_WAIT 没有内核定时器，也没有任何 sysctl 能结束它：只要文件描述符没关闭，它就一直存在，可以长达数天。保活（keepalive）也无济于事（对端早已离开）；最多是一次失败的发送把它变成一个错误，程序仍需处理并关闭。',
        '修复在程序里：找到所属进程和缺失的 close()（连接池泄漏、异常分支跳过了 close、线程阻塞在别处）。',
        '$ tcpdoctor who :端口\n$ tcpdoctor sockets state close-wait --process',
      ].join('\n\n'),
      aliases: ['关闭等待', '等待关闭'],
    },
    outdated: {
      en: {
        article: 'CLOSE_WAIT is described as waiting for a close request from the local user, and articles like it often suggest it times out or that kernel settings clear it.',
        now: 'Nothing in the kernel times out CLOSE_WAIT: it ends only when the application calls close(). No sysctl fixes it; find the owning process (tcpdoctor who) and its missing close().',
      },
      zh: {
        article: '原文把 CLOSE_WAIT 描述为等待本地用户的关闭请求；类似文章常说它会超时，或说调内核参数能清除它。',
        now: '内核中没有任何机制让 CLOSE_WAIT 超时：只有应用程序调用 close() 才会结束。任何 sysctl 都解决不了；应找到所属进程（tcpdoctor who）及其缺失的 close()。',
      },
    },
  }),
  topic({
    id: 'closing',
    kind: 'state',
    aliases: ['CLOSING', 'TCP_CLOSING'],
    seeAlso: ['simultaneous-close', 'fin-wait-1', 'time-wait'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'CLOSING',
      summary: 'Both sides sent FIN at the same time (simultaneous close); each has acknowledged the other FIN and waits for the ACK of its own. Rare and short.',
      body: [
        'FIN_WAIT_1 plus a FIN from the peer before the ACK of our FIN gives CLOSING; the ACK then moves it to TIME_WAIT. Both ends pass through CLOSING and both end in TIME_WAIT.',
        'Seeing many CLOSING sockets means the last ACKs are lost, or the peers vanish right after sending FIN; like FIN_WAIT_1 these are usually orphans governed by tcp_orphan_retries (CLOSING_PILEUP).',
        '$ tcpdoctor lab simultaneous-close',
      ].join('\n\n'),
    },
    zh: {
      title: 'CLOSING（同时关闭中）',
      summary: '双方同时发出 FIN（同时关闭）；各自已确认了对方的 FIN，正在等待对自己 FIN 的确认。少见且短暂。',
      body: [
        '处于 FIN_WAIT_1 时，在收到对我方 FIN 的 ACK 之前先收到对端的 FIN，就进入 CLOSING；之后收到 ACK 进入 TIME_WAIT。两端都会经过 CLOSING，也都以 TIME_WAIT 结束。',
        '大量 CLOSING 说明最后的 ACK 丢失了，或对端发出 FIN 后就消失了；和 FIN_WAIT_1 一样，它们通常是孤儿套接字，受 tcp_orphan_retries 控制（CLOSING_PILEUP）。',
        '$ tcpdoctor lab simultaneous-close',
      ].join('\n\n'),
      aliases: ['同时关闭中', '正在关闭'],
    },
  }),
  topic({
    id: 'last-ack',
    kind: 'state',
    aliases: ['LAST_ACK', 'LAST-ACK', 'LASTACK', 'TCP_LAST_ACK'],
    seeAlso: ['close-wait', 'teardown', 'orphan-sockets', 'tcp_orphan_retries'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'LAST_ACK',
      summary: 'The passive closer has sent its own FIN (after CLOSE_WAIT) and waits for the final ACK. Many of them mean the peers disappeared right after closing (for example, killed load-test clients).',
      body: [
        'When the ACK arrives the connection is gone (CLOSED). If it does not, the kernel retransmits the FIN as for any orphan (tcp_orphan_retries) and finally drops the socket.',
        'The article sees many LAST_ACK when a load-test client is killed abruptly: its sockets vanish, so nobody acknowledges the server FINs (LAST_ACK_PILEUP). They clear by themselves within minutes; ss -K removes them at once.',
      ].join('\n\n'),
    },
    zh: {
      title: 'LAST_ACK（最后确认）',
      summary: '被动关闭方已发出自己的 FIN（在 CLOSE_WAIT 之后），正在等待最后的 ACK。大量出现说明对端关闭后随即消失（例如被强杀的压测客户端）。',
      body: [
        '收到 ACK 后连接即消失（CLOSED）。收不到时，内核像处理任何孤儿套接字一样重传 FIN(tcp_orphan_retries)，最终丢弃它。',
        '原文提到压测客户端被突然断开时服务器上出现很多 LAST_ACK：客户端套接字已消失，没人确认服务器的 FIN（LAST_ACK_PILEUP）。它们几分钟内会自行清除；ss -K 可立即清除。',
      ].join('\n\n'),
      aliases: ['最后确认', '等待最后确认'],
    },
  }),
  topic({
    id: 'time-wait',
    kind: 'state',
    aliases: ['TIME_WAIT', 'TIME-WAIT', 'TIMEWAIT', 'TCP_TIME_WAIT'],
    seeAlso: ['2msl', 'port-exhaustion', 'eaddrnotavail', 'tcp_tw_reuse', 'tcp_tw_recycle', 'tcp_fin_timeout', 'tcp_max_tw_buckets'],
    refs: ['RFC 9293 3.6.1', 'include/net/tcp.h TCP_TIMEWAIT_LEN', 'ip-sysctl.rst'],
    en: {
      title: 'TIME_WAIT',
      summary: 'The side that closed first waits after the last ACK, so a lost ACK can be resent and stray segments of the old connection die. On Linux it lasts a fixed 60 s. It is normal and cheap; it only hurts a client that opens many connections to one destination.',
      body: [
        'Two reasons (RFC 9293): if our last ACK is lost the peer resends its FIN and we must answer it; and old duplicate segments of this 4-tuple must expire before a new connection with the same addresses and ports starts.',
        'RFC 9293 says 2 x MSL (MSL = 2 minutes, so 4 minutes). Linux uses a hard-coded 60 s (TCP_TIMEWAIT_LEN in include/net/tcp.h) and no sysctl changes it. A TIME_WAIT entry is a small timewait socket without buffers, so tens of thousands cost little memory.',
        'TIME_WAIT blocks only the same 4-tuple (src IP, src port, dst IP, dst port). It causes "Cannot assign requested address" (EADDRNOTAVAIL) only on a host that closes first AND opens many connections to the same destination IP and port, running out of source ports. Fixes, best first: reuse connections (keep-alive, pooling); spread over more destination ports or source IPs; widen ip_local_port_range; tcp_tw_reuse=1 for outgoing connections; let the server close first where the protocol allows.',
        'Do not lower tcp_max_tw_buckets and do not look for tcp_tw_recycle: the first only resets connections early, the second was removed in Linux 4.12.',
      ].join('\n\n'),
    },
    zh: {
      title: 'TIME_WAIT（时间等待）',
      summary: '先关闭的一方在发出最后的 ACK 后等待，以便重发丢失的 ACK，并让旧连接的迷途报文消亡。在 Linux 上固定为 60 秒。它正常且代价很小；只会影响向同一目标建立大量连接的客户端。',
      body: [
        '两个原因（RFC 9293）：如果最后的 ACK 丢失，对端会重发 FIN，我们必须能回应；同一四元组的旧重复报文必须在使用相同地址和端口的新连接开始之前消亡。',
        'RFC 9293 规定 2 x MSL（MSL = 2 分钟，即 4 分钟）。Linux 使用写死的 60 秒（include/net/tcp.h 中的 TCP_TIMEWAIT_LEN），没有任何 sysctl 能修改。TIME_WAIT 条目是一个没有缓冲区的小型 timewait 套接字，几万个也只占很少内存。',
        'TIME_WAIT 只阻止同一个四元组（源 IP、源端口、目的 IP、目的端口）。只有在既先关闭、又向同一个目的 IP 和端口建立大量连接、源端口用尽的主机上，它才会导致 “Cannot assign requested address”（EADDRNOTAVAIL）。修复方法，按优先级：复用连接（keep-alive、连接池）；分散到更多目的端口或源 IP；扩大 ip_local_port_range；对外发连接设置 tcp_tw_reuse=1；在协议允许时让服务器先关闭。',
        '不要调低 tcp_max_tw_buckets，也不要再找 tcp_tw_recycle：前者只会提前重置连接，后者已在 Linux 4.12 中删除。',
      ].join('\n\n'),
      aliases: ['时间等待', '等待时间'],
    },
    outdated: {
      en: {
        article: 'TIME_WAIT lasts 2MSL; for many TIME_WAIT set tcp_syncookies=1, tcp_tw_reuse=1, tcp_tw_recycle=1 and tcp_fin_timeout=30 (the author found it helped only briefly).',
        now: 'On Linux TIME_WAIT is a fixed 60 s and not tunable. tcp_tw_recycle broke clients behind NAT and was removed in Linux 4.12; tcp_fin_timeout bounds orphaned FIN_WAIT_2, not TIME_WAIT; tcp_tw_reuse helps only outgoing connections (default 2 = loopback only); tcp_syncookies is about SYN floods. The author\'s conclusion stands: use long-lived connections.',
      },
      zh: {
        article: 'TIME_WAIT 持续 2MSL;TIME_WAIT 过多时设置 tcp_syncookies=1、tcp_tw_reuse=1、tcp_tw_recycle=1、tcp_fin_timeout=30（作者发现只能短暂见效）。',
        now: 'Linux 上 TIME_WAIT 固定为 60 秒，不可调。tcp_tw_recycle 会破坏 NAT 后面的客户端，已在 Linux 4.12 删除；tcp_fin_timeout 限制的是孤儿 FIN_WAIT_2，不是 TIME_WAIT;tcp_tw_reuse 只对外发连接有用（默认 2 = 仅回环）；tcp_syncookies 针对的是 SYN 洪水。作者的结论仍然成立：使用长连接。',
      },
    },
  }),
]
