import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, targetProblem, guardLookup } from '../../../functions/webhooks/targets';
import { postWebhook } from '../../../functions/adapters/webhook-sender';

/** SSRF: on AWS (the default policy) only public https targets, checked on the subscribed URL and on the address connected to. */
describe('webhook targets', () => {
  it('private, loopback, link-local, CGNAT, reserved and mapped addresses are private; public ones are not', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'not-an-ip']) {
      expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: true });
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect({ ip, private: isPrivateAddress(ip) }).toEqual({ ip, private: false });
  });

  it('subscriptions: https to a public host on AWS; any http(s) locally; never credentials', () => {
    expect(targetProblem('https://hooks.example.com/x', 'public-https')).toBeUndefined();
    expect(targetProblem('http://hooks.example.com/x', 'public-https')).toMatch(/https/);
    expect(targetProblem('https://169.254.169.254/latest/meta-data', 'public-https')).toMatch(/private/);
    expect(targetProblem('https://[::1]/', 'public-https')).toMatch(/private/);
    expect(targetProblem('https://localhost/', 'public-https')).toMatch(/public host/);
    expect(targetProblem('https://10.0.0.5/', 'public-https')).toMatch(/private/);
    expect(targetProblem('ftp://x.example/', 'public-https')).toBeDefined();
    expect(targetProblem('https://u:p@hooks.example.com/', 'public-https')).toMatch(/credentials/);
    expect(targetProblem('http://127.0.0.1:4000/hooks', 'any')).toBeUndefined();
    expect(targetProblem('not a url', 'any')).toBeDefined();
  });

  it('a name that resolves to a private address is refused at connect time (DNS rebinding)', async () => {
    const fakeDns = (answer: string) => ((_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: answer, family: 4 }])) as never;
    const refused = await new Promise<Error | null>((resolve) => guardLookup(fakeDns('169.254.169.254'), 'public-https')('evil.example', { all: true }, (e) => resolve(e)));
    expect(refused?.name).toBe('TargetRefused');
    const allowed = await new Promise<unknown>((resolve) => guardLookup(fakeDns('8.8.8.8'), 'public-https')('ok.example', {}, (_e, a) => resolve(a)));
    expect(allowed).toBe('8.8.8.8');
  });

  it('the sender refuses a loopback receiver under the AWS policy and reaches it locally', async () => {
    let hits = 0;
    const server = http.createServer((_q, s) => {
      hits++;
      s.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const previous = process.env.WEBHOOK_TARGETS;
    try {
      delete process.env.WEBHOOK_TARGETS;
      expect(await postWebhook(url, '{}', {}, 500)).toMatchObject({ error: 'target-refused' });
      expect(await postWebhook(url.replace('http:', 'https:').replace('127.0.0.1', 'localhost'), '{}', {}, 500)).toMatchObject({ error: 'target-refused' });
      expect(hits).toBe(0);
      process.env.WEBHOOK_TARGETS = 'any';
      expect(await postWebhook(url, '{}', {}, 500)).toMatchObject({ status: 204 });
      expect(hits).toBe(1);
    } finally {
      if (previous === undefined) delete process.env.WEBHOOK_TARGETS;
      else process.env.WEBHOOK_TARGETS = previous;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
