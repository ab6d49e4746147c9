/**
 * The deployed HTTP API and the local gateway expose the same routes with the same auth.
 *
 * Left side: the routes in the synthesized CloudFormation template (RouteKey + AuthorizationType).
 * Right side: the real local gateway (local/gateway.ts, its default route table), over HTTP. Its handler
 * modules are swapped for echo handlers (same entry paths under a temp root) so the test sees exactly what
 * the gateway decided: which route matched, and whether it demanded and passed on a token.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startGateway, type LocalGateway } from '../../local/gateway';
import type { AccessTokenVerifier } from '../../local/jwt';
import { routes } from '../../lib/routes';
import { synth } from './support';

interface TemplateRoute {
  routeKey: string;
  authorizationType: 'JWT' | 'NONE';
}

const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    routeKey: event.routeKey,
    pathParameters: event.pathParameters ?? null,
    claims: (event.requestContext.authorizer && event.requestContext.authorizer.jwt && event.requestContext.authorizer.jwt.claims) || null,
  }),
});
`;

const VALID = 'valid-token';
const verifier: AccessTokenVerifier = {
  verify(token: string) {
    if (token !== VALID) throw new Error('invalid token');
    return { sub: 'user-1', 'cognito:groups': ['admin'], token_use: 'access', client_id: 'client' } as unknown as ReturnType<AccessTokenVerifier['verify']>;
  },
};

/** A concrete request path for an API Gateway path template. */
const samplePath = (template: string) => template.replace(/\{(\w+)\}/g, (_, name: string) => `sample-${name}`);

let templateRoutes: TemplateRoute[];
let gateway: LocalGateway;
let root: string;

beforeAll(async () => {
  const { routesTemplate } = synth();
  templateRoutes = Object.values(routesTemplate.findResources('AWS::ApiGatewayV2::Route')).map((r) => ({
    routeKey: r.Properties.RouteKey,
    authorizationType: r.Properties.AuthorizationType,
  }));

  root = fs.mkdtempSync(path.join(os.tmpdir(), 'order-service-gateway-'));
  for (const route of routes) {
    const file = path.join(root, route.entry);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, ECHO);
  }
  gateway = await startGateway({ port: 0, rootDir: root, verifier, dashboardDir: path.join(root, 'no-dashboard') });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function call(method: string, urlPath: string, token?: string) {
  const response = await fetch(`${gateway.url}${urlPath}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }) },
    body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('CDK HTTP API vs local gateway', () => {
  it('the template has exactly the route table: same method+path set', () => {
    expect(templateRoutes.map((r) => r.routeKey).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('every template route is served locally by the same route, requiring a token exactly where the template has the JWT authorizer', async () => {
    const seen: Record<string, { anonymous: number; forged: number; signedIn: number; matched: string }> = {};
    for (const { routeKey, authorizationType } of templateRoutes) {
      const [method, pathTemplate] = routeKey.split(' ');
      const urlPath = samplePath(pathTemplate);

      const anonymous = await call(method, urlPath);
      const forged = await call(method, urlPath, 'forged-token');
      const signedIn = await call(method, urlPath, VALID);
      seen[routeKey] = { anonymous: anonymous.status, forged: forged.status, signedIn: signedIn.status, matched: signedIn.body?.routeKey };

      if (authorizationType === 'JWT') {
        expect({ routeKey, anonymous: anonymous.status, forged: forged.status }).toEqual({ routeKey, anonymous: 401, forged: 401 });
        expect(signedIn.body.claims).toMatchObject({ sub: 'user-1' });
      } else {
        expect(authorizationType).toBe('NONE');
        // Public: no token needed, and (as on AWS, where a route without authorizer gets no claims) a token
        // is neither checked nor passed on.
        expect({ routeKey, anonymous: anonymous.status, forged: forged.status }).toEqual({ routeKey, anonymous: 200, forged: 200 });
        expect(anonymous.body.routeKey).toBe(routeKey);
        expect(signedIn.body.claims).toBeNull();
      }
      expect({ routeKey, status: signedIn.status, matched: signedIn.body.routeKey }).toEqual({ routeKey, status: 200, matched: routeKey });
      const params = [...pathTemplate.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(signedIn.body.pathParameters ?? {}).toEqual(Object.fromEntries(params.map((p) => [p, `sample-${p}`])));
    }
    expect(Object.keys(seen)).toHaveLength(routes.length);
  });

  it('serves nothing the template lacks: other methods on known paths and unknown paths are refused', async () => {
    const known = new Set(templateRoutes.map((r) => r.routeKey));
    for (const pathTemplate of new Set(routes.map((r) => r.path))) {
      for (const method of ['GET', 'POST', 'PATCH', 'DELETE', 'PUT']) {
        if (known.has(`${method} ${pathTemplate}`)) continue;
        const res = await call(method, samplePath(pathTemplate), VALID);
        expect({ route: `${method} ${pathTemplate}`, refused: res.status === 404 || res.status === 405 }).toEqual({ route: `${method} ${pathTemplate}`, refused: true });
      }
    }
    expect((await call('GET', '/no-such-route', VALID)).status).toBe(404);
  });
});
