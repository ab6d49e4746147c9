import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SNSClient } from '@aws-sdk/client-sns';
import { config } from '../commons/config';
import { tracer } from '../commons/powertools';

export interface AlertMessage {
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

/**
 * The SNS SDK is loaded and its client built on the first publish: the functions that may publish (stock
 * changes) cross a threshold rarely, and their other requests should not pay for the SNS client at init.
 */
let sns: Promise<{ client: SNSClient; PublishCommand: typeof import('@aws-sdk/client-sns').PublishCommand }> | undefined;
const snsPublisher = () =>
  (sns ??= import('@aws-sdk/client-sns').then(({ SNSClient, PublishCommand }) => ({
    client: tracer.captureAWSv3Client(new SNSClient({})),
    PublishCommand,
  })).catch((error) => {
    sns = undefined; // a failed load is retried on the next publish
    throw error;
  }));

/**
 * Publishes low-stock alerts: to the SNS topic on AWS (ops subscribe by email), and in local mode to
 * `.data/alerts/alerts.log`, a file a person can read (also listed in the dashboard from the table).
 */
export async function publishAlert(message: AlertMessage): Promise<string> {
  const topicArn = config.alertTopicArn();
  if (topicArn) {
    const { client, PublishCommand } = await snsPublisher();
    const out = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: message.subject,
        Message: message.body,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
        ),
      }),
    );
    return `sns:${out.MessageId}`;
  }
  const dir = join(config.localDataDir() ?? '.data', 'alerts');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'alerts.log');
  await appendFile(file, `${JSON.stringify({ at: new Date().toISOString(), ...message })}\n`);
  return `file:${file}`;
}
