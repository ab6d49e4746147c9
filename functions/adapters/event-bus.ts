import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { config } from '../commons/config';
import { tracer } from '../commons/powertools';
import type { IntegrationEvent } from '../webhooks/events';

/** The `source` of every event on the bus (rules match on it). */
export const EVENT_SOURCE = 'order-service';

let bus: Promise<{ client: EventBridgeClient; PutEventsCommand: typeof import('@aws-sdk/client-eventbridge').PutEventsCommand }> | undefined;
const eventBridge = () =>
  (bus ??= import('@aws-sdk/client-eventbridge').then(({ EventBridgeClient, PutEventsCommand }) => ({
    client: tracer.captureAWSv3Client(new EventBridgeClient({})),
    PutEventsCommand,
  })).catch((error) => {
    bus = undefined;
    throw error;
  }));

/**
 * Puts one event on the service's EventBridge bus (EVENT_BUS_NAME, set on AWS): `source` order-service,
 * `detail-type` the event type, `detail` the event without personal data. PutEvents can accept a request and
 * still refuse an entry (FailedEntryCount): that is an error here, so the outbox retries it. Locally, with no
 * bus, events go to `.data/events/bus.log`, one JSON line each.
 */
export async function putOnBus(event: IntegrationEvent): Promise<string> {
  const name = process.env.EVENT_BUS_NAME;
  if (name) {
    const { client, PutEventsCommand } = await eventBridge();
    const out = await client.send(new PutEventsCommand({
      Entries: [{ EventBusName: name, Source: EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), Time: new Date(event.createdAt) }],
    }));
    if (out.FailedEntryCount || out.Entries?.[0]?.ErrorCode) throw new Error(`EventBridge refused the event: ${out.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    return `eventbridge:${out.Entries?.[0]?.EventId}`;
  }
  const dir = join(config.localDataDir() ?? '.data', 'events');
  await mkdir(dir, { recursive: true });
  await appendFile(join(dir, 'bus.log'), `${JSON.stringify(event)}\n`);
  return 'file';
}
