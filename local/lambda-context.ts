import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** Mirrors lib/function-settings.ts (not imported: it loads aws-cdk-lib, seconds of start-up for nothing). */
export const FUNCTION_TIMEOUT_SECONDS = 15;
export const FUNCTION_MEMORY_MB = 512;

/** The deployed function name of a route or task, as CDK would name it (close enough for logs). */
export const functionName = (name: string) => `order-service-${name}`;
export const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;

/**
 * A Lambda context like the Node.js runtime passes: Powertools' logger reads functionName, awsRequestId,
 * memoryLimitInMB etc. from it, and getRemainingTimeInMillis counts down from the configured timeout.
 */
export function lambdaContext(name: string, timeoutSeconds = FUNCTION_TIMEOUT_SECONDS, memoryMb = FUNCTION_MEMORY_MB): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const fn = functionName(name);
  const unsupported = () => {
    throw new Error('Legacy Lambda callbacks (done/fail/succeed) are not used by this service');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(fn),
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
