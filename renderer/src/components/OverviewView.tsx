import { useEffect, useState } from 'react';
import type { ApiOutputs, Overview } from '../../../electron/common/api.ts';
import type { ImageCheckProgress, ImageCheckSummary, LogEntry, LogSample } from '../../../electron/common/index-types.ts';
import { call, type ApiError } from '../api/client.ts';
import { useJob } from '../state/jobs.ts';
import { describeError } from '../errors.ts';
import { formatCount, formatNumber, splitName } from '../format.ts';

function Bars({ title, counts, limit = 20, filterLabel, onPick }: {
  title: string;
  counts: Record<string, number>;
  limit?: number;
  /** How a bar's button reads to a screen reader, e.g. "Show pairs from source bbc"; without onPick the bars are not buttons. */
  filterLabel?: (name: string) => string;
  onPick?: (name: string) => void;
}) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, limit);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return (
    <section className="card">
      <h2>{title}</h2>
      <ul className="bars">
        {entries.map(([name, n]) => (
          <li key={name}>
            {onPick ? (
              <button className="link bar-label" title={filterLabel?.(name)} aria-label={filterLabel?.(name)} onClick={() => onPick(name)}>{name}</button>
            ) : (
              <span className="bar-label">{name}</span>
            )}
            <span className="bar-track"><span className="bar" style={{ width: `${(100 * n) / max}%` }} /></span>
            <span className="bar-value">{formatCount(n)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "duplicate_id" → "duplicate id". */
const reasonText = (reason: string): string => reason.replaceAll('_', ' ');

/** A logged file's path under the dataset root it came from, or as stored. */
function shortPath(file: string, roots: Overview['stats']['roots']): string {
  for (const root of [roots.clippings, roots.visualnews]) {
    if (root && file.startsWith(root) && /[\\/]/.test(file.charAt(root.length))) return file.slice(root.length + 1);
  }
  return file;
}

function where(s: LogSample): string {
  const parts = [s.record === undefined ? '' : `record ${formatNumber(s.record)}`, s.offset === undefined ? '' : `byte ${formatNumber(s.offset)}`].filter(Boolean);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}

function LogRows({ entry, roots }: { entry: LogEntry; roots: Overview['stats']['roots'] }) {
  return (
    <tr>
      <td className={`left log-kind ${entry.kind}`}>{entry.kind === 'skip' ? 'skipped' : 'flagged'}</td>
      <td className="left" title={entry.reason}>{reasonText(entry.reason)}</td>
      <td className="left path" title={entry.file}>{shortPath(entry.file, roots)}</td>
      <td>{formatCount(entry.n)}</td>
      <td className="left">
        {entry.samples.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <details>
            <summary>{entry.samples.length < entry.n ? `first ${entry.samples.length}` : entry.samples.length === 1 ? 'the record' : `all ${entry.samples.length}`}</summary>
            <ul className="log-samples">
              {entry.samples.map((s, i) => (
                <li key={i}>{where(s)}{s.detail}</li>
              ))}
            </ul>
          </details>
        )}
      </td>
    </tr>
  );
}

/** A table's column heads: text on the left, counts (named with a leading #) on the right. */
function Head({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (c.startsWith('#') ? <th key={c} scope="col">{c.slice(1)}</th> : <th key={c} scope="col" className="left">{c}</th>))}
      </tr>
    </thead>
  );
}

/** Starts the image check (a job) and shows how far it has got. */
function CheckImages({ checked }: { checked: boolean }) {
  const job = useJob<ImageCheckProgress, ImageCheckSummary>('check-images');
  const [error, setError] = useState('');
  const start = (): void => {
    setError('');
    call('images.check', { recheck: false }).catch((err: ApiError) => setError(describeError(err)));
  };
  const running = job.state === 'running';
  return (
    <p className="small check-images">
      <button className="secondary" onClick={start} disabled={running}>{running ? 'Checking images…' : checked ? 'Check new and changed images' : 'Check every image'}</button>{' '}
      <span className="muted">
        {running && job.progress ? `${formatCount(job.progress.done)} of ${formatCount(job.progress.total)}` : 'Opens every image file and records whether it is missing, truncated or not an image (a job; see Jobs).'}
      </span>
      {error && <span className="error"> {error}</span>}
    </p>
  );
}

/** What the index left out or flagged, and the images whose check failed, each with examples. */
function ProblemsCard({ stats, onOpenItem }: { stats: Overview['stats']; onOpenItem: (itemId: number) => void }) {
  const [log, setLog] = useState<ApiOutputs['overview.log'] | null>(null);
  const [error, setError] = useState('');
  const { roots } = stats;
  // Read again whenever the overview is (after an index or an image check).
  useEffect(() => {
    call('overview.log', {}).then(setLog, (err: ApiError) => setError(describeError(err)));
  }, [stats]);
  const title = <h2>Skipped and flagged records</h2>;
  if (error) return <section className="card wide">{title}<p className="error small">{error}</p></section>;
  if (!log) return <section className="card wide">{title}<p className="muted small">Loading…</p></section>;
  return (
    <section className="card wide problems">
      {title}
      {log.entries.length === 0 ? (
        <p className="muted small">The index skipped and flagged no record.</p>
      ) : (
        <table className="counts" aria-label="Skipped and flagged records">
          <Head columns={['What', 'Reason', 'File', '#Records', 'Examples']} />
          <tbody>
            {log.entries.map((e) => (
              <LogRows key={`${e.kind}/${e.reason}/${e.file}`} entry={e} roots={roots} />
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">Skipped records are not in the index; flagged ones are, with what was odd about them. <code>ooc stats --skips</code> prints the same list.</p>
      <h2>Images that failed their check</h2>
      {stats.imageChecks === undefined && <p className="muted small">No image has been checked yet.</p>}
      {stats.imageChecks !== undefined && log.images.length === 0 && <p className="muted small">Every image checked opened as an image.</p>}
      {log.images.length > 0 && (
        <>
          <table className="counts" aria-label="Images that failed their check">
            <Head columns={['Status', '#Items', 'Examples']} />
            <tbody>
              {log.images.map((p) => (
                <tr key={p.status}>
                  <td className="left">{p.status}</td>
                  <td>{formatCount(p.n)}</td>
                  <td className="left">
                    <details>
                      <summary>{p.examples.length < p.n ? `first ${p.examples.length}` : `all ${p.examples.length}`}</summary>
                      <ul className="log-samples">
                        {p.examples.map((x) => (
                          <li key={x.itemId}>
                            <button className="link" onClick={() => onOpenItem(x.itemId)}>item {x.itemId}</button> {x.path}{x.detail ? ` — ${x.detail}` : ''}
                          </li>
                        ))}
                      </ul>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <CheckImages checked={stats.imageChecks !== undefined} />
    </section>
  );
}

export interface OverviewViewProps {
  overview: Overview;
  onOpenSplit: (split: string, subset: string) => void;
  /** Opens the pair browser filtered to one source or topic. */
  onFilter: (filter: { source: string } | { topic: string }) => void;
  onOpenItem: (itemId: number) => void;
}

/** Counts per split × subset × label, per source and per topic, and what the index skipped or flagged. */
export function OverviewView({ overview, onOpenSplit, onFilter, onOpenItem }: OverviewViewProps) {
  const { stats } = overview;
  const subsets = ['train', 'val', 'test'];
  const skipped = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
  return (
    <div className="overview">
      <section className="card wide">
        <h2>NewsCLIPpings matches</h2>
        <table className="counts" aria-label="Annotations per split and subset">
          <thead>
            <tr>
              <th scope="col">Split</th>
              {subsets.map((s) => (
                <th key={s} scope="col" colSpan={2}>{s}</th>
              ))}
            </tr>
            <tr>
              <th />
              {subsets.map((s) => [
                <th key={`${s}p`} className="label pristine">pristine</th>,
                <th key={`${s}f`} className="label falsified">falsified</th>,
              ])}
            </tr>
          </thead>
          <tbody>
            {overview.splits.map((split) => (
              <tr key={split.folder}>
                <th scope="row" title={split.retrieval}>{split.name}</th>
                {subsets.map((subset) => {
                  const c = stats.annotations[split.folder]?.[subset];
                  if (!c) return [<td key={`${subset}p`} className="muted">—</td>, <td key={`${subset}f`} className="muted">—</td>];
                  return [
                    <td key={`${subset}p`}><button className="link" onClick={() => onOpenSplit(split.folder, subset)}>{formatCount(c.pristine)}</button></td>,
                    <td key={`${subset}f`}><button className="link" onClick={() => onOpenSplit(split.folder, subset)}>{formatCount(c.falsified)}</button></td>,
                  ];
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          {formatCount(stats.items.total)} VisualNews items · {formatCount(stats.pairs)} pairs · indexed {stats.indexedAt ? new Date(stats.indexedAt).toLocaleString() : '—'}
          {skipped > 0 && <> · {formatCount(skipped)} records skipped (listed below)</>}
        </p>
      </section>
      <Bars title="Items per source" counts={stats.items.bySource} filterLabel={(s) => `Show pairs from source ${s}`} onPick={(source) => onFilter({ source })} />
      <Bars title="Items per topic (top 20)" counts={stats.items.byTopic} filterLabel={(t) => `Show pairs on topic ${t}`} onPick={(topic) => onFilter({ topic })} />
      {stats.imageChecks && <Bars title="Image check" counts={stats.imageChecks} />}
      <ProblemsCard stats={stats} onOpenItem={onOpenItem} />
      <p className="muted small wide">Split names follow the paper; hover a split for how its falsified images were retrieved. {splitName(overview.splits, 'merged_balanced')} balances the four others. Click a source or topic to browse its pairs.</p>
    </div>
  );
}
