import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may be delivered. On AWS (the default, `public-https`) only https URLs whose host resolves
 * to public addresses: no SSRF into the VPC, the instance metadata service (169.254.169.254) or anything
 * private, loopback, link-local, carrier-grade NAT, multicast or reserved, in IPv4 or IPv6 (IPv4-mapped and
 * NAT64 forms included). The check runs on the address the connection actually uses (functions/adapters/
 * webhook-sender.ts passes `guardLookup` to the socket), so a DNS answer that changes after the subscription
 * was checked (DNS rebinding) is refused too. Redirects are never followed. Local mode sets
 * WEBHOOK_TARGETS=any so a test receiver on 127.0.0.1 over http can subscribe.
 */
export type TargetPolicy = 'public-https' | 'any';
export const targetPolicy = (): TargetPolicy => (process.env.WEBHOOK_TARGETS === 'any' ? 'any' : 'public-https');

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether `address` (an IP literal) is anything but a public unicast address. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return blocked.check(bare, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    // ::ffff:a.b.c.d written in hex (::ffff:7f00:1).
    const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
    if (hexMapped) {
      const hi = parseInt(hexMapped[1]!, 16);
      const lo = parseInt(hexMapped[2]!, 16);
      return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
    }
    return blocked.check(bare, 'ipv6');
  }
  return true; // not an address at all: refuse
}

/** Why a subscription URL is refused (a 400 for the admin), or undefined when it may be subscribed. */
export function targetProblem(raw: string, policy: TargetPolicy = targetPolicy()): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (policy === 'any') return undefined;
  if (url.protocol !== 'https:') return 'must be an https URL';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return 'must be a public host';
  if (isIP(host) && isPrivateAddress(host)) return 'must not be a private, loopback or link-local address';
  return undefined;
}

export class TargetRefused extends Error {
  override readonly name = 'TargetRefused';
}

type LookupAddress = { address: string; family: number };
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Lookup = (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback) => void;

/**
 * A `lookup` for http(s).request that refuses private addresses under the public policy: every address the
 * name resolves to must be public (so the socket cannot pick a private one).
 */
export function guardLookup(resolve: Lookup, policy: TargetPolicy = targetPolicy()): Lookup {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '', 4);
      const list = addresses as LookupAddress[];
      if (policy !== 'any' && (list.length === 0 || list.some((a) => isPrivateAddress(a.address)))) {
        return callback(new TargetRefused(`${hostname} resolves to a private address; webhooks are delivered to public addresses only`) as NodeJS.ErrnoException, options.all ? [] : '', 4);
      }
      if (options.all) return callback(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
