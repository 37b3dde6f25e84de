/**
 * @module
 * The one error type of tcpdoctor and every stable code. Match on `error.code`, never on the
 * message. docs/errors.md is the table users read; keep the two in step.
 *
 * Message and hint are catalog messages (`msg(key, vars)` from i18n): `error.message` and
 * `error.hint` are the English text (logs, library users, --json); the CLI prints
 * `messageIn(lang)` / `hintIn(lang)`. Text that is not ours (an OS or library message) goes in
 * as a value of a localized template, never as the message itself.
 */
import { msg, render, textIn, type Lang, type Msg } from './i18n/index.js'

export type ErrorCode =
  | 'TD_USAGE' // the command line is wrong (unknown option, missing argument)
  | 'TD_INVALID_ARGUMENT' // a value is out of range or malformed (port 70000, bad CIDR)
  | 'TD_FILTER_SYNTAX' // the ss-style filter expression does not parse
  | 'TD_PARSE' // kernel text or bytes not in the expected format
  | 'TD_NETLINK' // the kernel answered a sock_diag request with an error
  | 'TD_UNSUPPORTED' // a source or feature cannot work on this host (fallback trigger)
  | 'TD_PERMISSION' // needs root, CAP_NET_ADMIN, CAP_SYS_ADMIN or CAP_SYS_PTRACE
  | 'TD_NATIVE_MISSING' // the C addon is not built for this platform
  | 'TD_NOT_FOUND' // a file, network namespace, port or topic that does not exist
  | 'TD_SNAPSHOT_FORMAT' // a snapshot file that is not ours or is damaged
  | 'TD_PCAP_FORMAT' // a capture file that is not pcap/pcapng or is damaged beyond its header
  | 'TD_IO' // reading or writing a file failed
  | 'TD_RESOLVE' // a host name that does not resolve (ping, trace)
  | 'TD_NO_ROUTE' // the kernel has no route to the target (e.g. IPv6 without a default route)
  | 'TD_SOCKET_NOT_CONNECTED' // a socket option on a socket that is not connected yet (no fd)
  | 'TD_SOCKET_DESTROYED' // a socket option on a socket that is destroyed or closed
  | 'TD_PEER_TIMEOUT' // heartbeat: nothing came from the peer within the timeout
  | 'TD_PEER_PROTOCOL' // heartbeat: the peer sent bytes that are not heartbeat frames
  | 'TD_INTERNAL' // a bug in tcpdoctor: please report it

export class TcpdoctorError extends Error {
  readonly code: ErrorCode
  /** A hint for the user: what to do about it (English). */
  readonly hint: string | undefined
  /** The message as catalog key and values, for rendering in another language. */
  readonly msg: Msg
  readonly hintMsg: Msg | undefined
  constructor(code: ErrorCode, message: Msg, options?: ErrorOptions & { hint?: Msg | undefined }) {
    super(render('en', message), options)
    this.name = 'TcpdoctorError'
    this.code = code
    this.msg = message
    this.hintMsg = options?.hint
    this.hint = options?.hint && render('en', options.hint)
  }

  /** The message in lang. */
  messageIn(lang: Lang): string {
    return render(lang, this.msg)
  }

  /** The hint in lang, if there is one. */
  hintIn(lang: Lang): string | undefined {
    return this.hintMsg && render(lang, this.hintMsg)
  }
}

/** A source or probe cannot work here; callers may fall back to another one. */
export class UnsupportedError extends TcpdoctorError {
  constructor(message: Msg, options?: ErrorOptions & { hint?: Msg | undefined }) {
    super('TD_UNSUPPORTED', message, options)
    this.name = 'UnsupportedError'
  }
}

/** The errno code (`EACCES`) of a Node or addon error, when it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code
  return undefined
}

/** What went wrong inside a caught error, for a message that wraps it: ours stays localizable. */
export function detailOf(err: unknown): string | Msg {
  if (err instanceof TcpdoctorError) return err.msg
  return err instanceof Error ? err.message : String(err)
}

/** A caught error's text for a person reading lang (a note, a status line): ours in lang, others as they came. */
export function errorIn(err: unknown, lang: Lang): string {
  return textIn(lang, detailOf(err))
}

/** Wraps a system error from a kernel interface into a TcpdoctorError with the right code. */
export function fromSystemError(err: unknown, what: string | Msg): TcpdoctorError {
  if (err instanceof TcpdoctorError) return err
  const code = errnoCode(err)
  const detail = err instanceof Error ? err.message : String(err)
  if (code === 'EACCES' || code === 'EPERM')
    return new TcpdoctorError('TD_PERMISSION', msg('err.common.permissionDenied', { what, code }), {
      cause: err,
      hint: msg('hint.common.runAsRootOr'),
    })
  if (code === 'ENOENT') return new TcpdoctorError('TD_NOT_FOUND', msg('err.common.notFound', { what }), { cause: err })
  if (code === 'EPROTONOSUPPORT' || code === 'EAFNOSUPPORT' || code === 'EOPNOTSUPP' || code === 'ENOSYS')
    return new UnsupportedError(msg('err.common.notSupportedByThis', { what, code }), { cause: err })
  return new TcpdoctorError('TD_IO', msg('err.common.failed', { what, detail }), { cause: err })
}
