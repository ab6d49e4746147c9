import { api } from '../api';
import { AsyncView, PageHeader, StatusBadge } from '../components/ui';
import { formatDateTime } from '../format';
import { useResource, useTitle } from '../hooks';

/**
 * Ops alarms: on AWS the state of this stack's CloudWatch alarms (in alarm first); in local mode what
 * would have alarmed, newest first (.data/ops/alarms.log). Each alarm id has a section in docs/runbook.md.
 */
export function Ops() {
  useTitle('Ops alarms');
  const alarms = useResource((signal) => api.listOpsAlarms(signal), [], { pollMs: 15000 });
  return (
    <section>
      <PageHeader title="Ops alarms" />
      <AsyncView
        resource={alarms}
        isEmpty={(data) => data.items.length === 0}
        empty="Nothing has alarmed. Faults, failed executions and compensation failures show up here."
      >
        {(data) => (
          <>
            <p className="subtle">
              {data.source === 'local'
                ? 'Local mode: what would have alarmed on AWS, newest first (from .data/ops/alarms.log).'
                : 'CloudWatch alarms of this stack; those in alarm first. Ops are emailed on every change.'}{' '}
              Each alarm has a section in the runbook (docs/runbook.md).
            </p>
            <div className="table-wrap">
            <table className="table" aria-label="Ops alarms">
              <thead>
                <tr>
                  <th scope="col">Since</th>
                  <th scope="col">Alarm</th>
                  <th scope="col">State</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((alarm, index) => (
                  <tr key={`${alarm.alarm}-${alarm.at}-${index}`} data-alarm={alarm.alarm}>
                    <td>{formatDateTime(alarm.at)}</td>
                    <td className="mono">{alarm.alarm}</td>
                    <td>
                      <StatusBadge status={alarm.state} />
                    </td>
                    <td>{alarm.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          </>
        )}
      </AsyncView>
    </section>
  );
}
