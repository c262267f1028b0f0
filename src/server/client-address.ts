/**
 * The address a client is counted under for per-address limits: an IPv4 address as it is, an
 * IPv4-mapped IPv6 address as the IPv4 address it maps, and any other IPv6 address by its /64
 * prefix — one host usually holds a whole /64, so counting single IPv6 addresses would let it
 * open connections from as many addresses as it likes.
 */
import net from 'node:net';

/** The key for a socket's `remoteAddress`; `unknown` when the socket has none (already closed). */
export function clientAddress(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  if (net.isIPv4(remoteAddress)) return remoteAddress;
  const [address = ''] = remoteAddress.split('%');
  if (!net.isIPv6(address)) return 'unknown';
  const groups = ipv6Groups(address);
  const [high = 0, low = 0] = groups.slice(6);
  if (isIpv4Mapped(groups)) return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail read. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function isIpv4Mapped(groups: number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}
