// The addon's dump alone (no parsing beyond framing): tcpdoctor's own floor, Node startup included.
import { loadNative } from '../dist/kernel/native.js'

const native = loadNative()
const buf = Buffer.allocUnsafe(1 << 20)
let bytes = 0
for (const family of [0]) { // AF_UNSPEC: one compat request for both families, as tcpdoctor does
  const fd = native.diagOpen(null, family, 6, 0x1ffe, 0, null)
  for (;;) {
    const [n, done] = native.diagRead(fd, buf)
    bytes += n
    if (done) break
  }
  native.closeFd(fd)
}
process.stdout.write(`bytes ${bytes}\n`)
