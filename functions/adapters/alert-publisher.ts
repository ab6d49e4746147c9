import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsClient } from '../commons/clients';
import { config } from '../commons/config';

export interface AlertMessage {
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

/**
 * Publishes low-stock alerts: to the SNS topic on AWS (ops subscribe by email), and in local mode to
 * `.data/alerts/alerts.log`, a file a person can read (also listed in the dashboard from the table).
 */
export async function publishAlert(message: AlertMessage): Promise<string> {
  const topicArn = config.alertTopicArn();
  if (topicArn) {
    const out = await snsClient().send(
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
