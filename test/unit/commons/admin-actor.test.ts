/**
 * Readable actors: an admin's write is recorded as `admin:<email>`, read with Cognito GetUser from the
 * caller's own access token (access tokens carry no email claim), cached per admin; reads never ask, and
 * a failed lookup falls back to the username without logging anything personal.
 */
import { CognitoIdentityProviderClient, GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { adminActor, withAdminEmail, type Principal } from '../../../functions/commons/auth';
import { logger } from '../../../functions/commons/powertools';

const cognito = mockClient(CognitoIdentityProviderClient);
const event = (method: string, authorization = 'Bearer token-of-the-admin') =>
  ({ headers: { authorization }, requestContext: { http: { method } } }) as unknown as APIGatewayProxyEventV2;
const admin = (sub: string): Principal => ({ userId: sub, username: `${sub}-username`, groups: ['admin'], isAdmin: true });

beforeEach(() => {
  cognito.reset();
  process.env.COGNITO_ENDPOINT = 'http://127.0.0.1:9';
});
afterAll(() => {
  delete process.env.COGNITO_ENDPOINT;
});

it('an admin write asks Cognito once with the caller’s token and records admin:<email>; later writes use the cache', async () => {
  cognito.on(GetUserCommand).resolves({ Username: 'x', UserAttributes: [{ Name: 'sub', Value: 'a1' }, { Name: 'email', Value: 'ops@example.com' }] });
  const first = await withAdminEmail(event('POST'), admin('a1'));
  expect(adminActor(first)).toBe('admin:ops@example.com');
  expect(cognito.commandCalls(GetUserCommand).map((c) => c.args[0].input)).toEqual([{ AccessToken: 'token-of-the-admin' }]);
  expect(adminActor(await withAdminEmail(event('PATCH'), admin('a1')))).toBe('admin:ops@example.com');
  expect(cognito.commandCalls(GetUserCommand)).toHaveLength(1);
});

it('reads and customers never ask; without a token or a reachable Cognito the username is the actor', async () => {
  cognito.on(GetUserCommand).resolves({ Username: 'x', UserAttributes: [{ Name: 'email', Value: 'b@example.com' }] });
  expect((await withAdminEmail(event('GET'), admin('b1')))?.email).toBeUndefined();
  const customer = { ...admin('c1'), groups: [], isAdmin: false };
  expect(await withAdminEmail(event('POST'), customer)).toBe(customer);
  expect(adminActor(await withAdminEmail(event('POST', ''), admin('b1')))).toBe('admin:b1-username');
  delete process.env.COGNITO_ENDPOINT;
  expect(adminActor(await withAdminEmail(event('POST'), admin('b1')))).toBe('admin:b1-username');
  expect(cognito.commandCalls(GetUserCommand)).toHaveLength(0);
});

it('a failed lookup still lets the write go ahead as admin:<username>, and logs only the error name', async () => {
  cognito.on(GetUserCommand).rejects(Object.assign(new Error('Access Token has been revoked for d1@example.com'), { name: 'NotAuthorizedException' }));
  const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  expect(adminActor(await withAdminEmail(event('DELETE'), admin('d1')))).toBe('admin:d1-username');
  expect(warn).toHaveBeenCalledTimes(1);
  expect(JSON.stringify(warn.mock.calls)).not.toMatch(/@|token-of-the-admin/);
  expect(JSON.stringify(warn.mock.calls)).toContain('NotAuthorizedException');
  warn.mockRestore();
});
