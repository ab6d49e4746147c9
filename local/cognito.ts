import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { killWithParent, LocalStackError, reservePort, stopProcess, tailOutput, waitUntil } from './processes';

export const POOL_NAME = 'order-service-local';
export const CLIENT_NAME = 'order-service-local-client';
export const ADMIN_GROUP = 'admin';
/** Local mode only (SPEC.md): never valid anywhere else. */
export const DEMO_PASSWORD = 'Passw0rd!local';
export const DEMO_USERS = [
  { email: 'admin@example.com', groups: [ADMIN_GROUP] },
  { email: 'customer@example.com', groups: [] as string[] },
] as const;

export interface LocalCognito {
  endpoint: string;
  region: string;
  userPoolId: string;
  clientId: string;
  /** Issuer of the tokens cognito-local signs: `<endpoint>/<userPoolId>`. */
  issuer: string;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

/**
 * Starts cognito-local as a child process (its data under `dataDir/.cognito/db`, which is where it
 * looks relative to its working directory), then creates the user pool, app client, `admin` group and the
 * demo users unless they exist already.
 */
export async function startCognitoLocal(options: { dataDir: string; port?: number; host?: string }): Promise<LocalCognito> {
  const host = options.host ?? '127.0.0.1';
  const port = await reservePort(options.port ?? 9229, host, 'cognito-local', 'COGNITO_PORT');
  const cwd = path.resolve(options.dataDir);
  mkdirSync(cwd, { recursive: true });
  const bin = path.join(path.dirname(require.resolve('cognito-local/package.json')), 'lib/bin/start.js');
  // PORT/HOST also set its token issuer (http://HOST:PORT/<poolId>), which local/jwt.ts then expects.
  const child = spawn(process.execPath, [bin], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: host, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(path.join(cwd, 'cognito-local.log'), { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const tail = tailOutput(child);
  const stopWatchdog = killWithParent(child);
  const stop = async () => {
    stopWatchdog();
    await stopProcess(child);
    log.end();
  };

  const endpoint = `http://${host}:${port}`;
  try {
    await waitUntil(
      async () => (await fetch(`${endpoint}/health`)).ok,
      'cognito-local',
      20_000,
      100,
      () => (child.exitCode !== null ? `exit code ${child.exitCode}\n${tail()}` : undefined),
    );
    const { userPoolId, clientId } = await ensurePoolAndUsers(endpoint);
    return { endpoint, region: REGION, userPoolId, clientId, issuer: `${endpoint}/${userPoolId}`, stop };
  } catch (error) {
    await stop();
    throw error instanceof LocalStackError ? error : new LocalStackError(`cognito-local setup failed: ${(error as Error).message}`);
  }
}

export function cognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Idempotent: looks every piece up by name first, so restarts over kept data create nothing. */
async function ensurePoolAndUsers(endpoint: string): Promise<{ userPoolId: string; clientId: string }> {
  const client = cognitoClient(endpoint);
  try {
    const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    let userPoolId = pools.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
    if (!userPoolId) {
      const created = await client.send(
        new CreateUserPoolCommand({
          PoolName: POOL_NAME,
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
        }),
      );
      userPoolId = created.UserPool!.Id!;
    }

    const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
    let clientId = clients.UserPoolClients?.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
    if (!clientId) {
      const created = await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: CLIENT_NAME,
          GenerateSecret: false,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      clientId = created.UserPoolClient!.ClientId!;
    }

    try {
      await client.send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: ADMIN_GROUP }));
    } catch {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: ADMIN_GROUP, Description: 'Order Service administrators' }));
    }

    for (const user of DEMO_USERS) {
      let exists = true;
      try {
        await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.email }));
      } catch (error) {
        if (!(error instanceof UserNotFoundException) && (error as Error).name !== 'UserNotFoundException') throw error;
        exists = false;
      }
      if (!exists) {
        await client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: user.email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: user.email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
        await client.send(
          new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: user.email, Password: DEMO_PASSWORD, Permanent: true }),
        );
        for (const group of user.groups) {
          await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.email, GroupName: group }));
        }
      }
    }
    return { userPoolId, clientId };
  } finally {
    client.destroy();
  }
}

/** Exactly what a client does on AWS: InitiateAuth USER_PASSWORD_AUTH against the Cognito endpoint. */
export async function signIn(
  cognito: { endpoint: string; clientId: string },
  username: string,
  password = DEMO_PASSWORD,
): Promise<{ accessToken: string; idToken: string; refreshToken?: string }> {
  const client = cognitoClient(cognito.endpoint);
  try {
    const result = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: cognito.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    );
    const auth = result.AuthenticationResult;
    if (!auth?.AccessToken || !auth.IdToken) throw new Error(`Sign-in for ${username} returned a challenge instead of tokens: ${result.ChallengeName}`);
    return { accessToken: auth.AccessToken, idToken: auth.IdToken, refreshToken: auth.RefreshToken };
  } finally {
    client.destroy();
  }
}
