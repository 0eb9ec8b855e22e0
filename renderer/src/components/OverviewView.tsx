import type { Overview } from '../../../electron/common/api.ts';
import { formatCount, splitName } from '../format.ts';

function Bars({ title, counts, limit = 20 }: { title: string; counts: Record<string, number>; limit?: number }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, limit);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return (
    <section className="card">
      <h2>{title}</h2>
      <ul className="bars">
        {entries.map(([name, n]) => (
          <li key={name}>
            <span className="bar-label">{name}</span>
            <span className="bar-track"><span className="bar" style={{ width: `${(100 * n) / max}%` }} /></span>
            <span className="bar-value">{formatCount(n)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Counts per split × subset × label, per source and per topic. */
export function OverviewView({ overview, onOpenSplit }: { overview: Overview; onOpenSplit: (split: string, subset: string) => void }) {
  const { stats } = overview;
  const subsets = ['train', 'val', 'test'];
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
          {Object.keys(stats.skipped).length > 0 && <> · skipped: {Object.entries(stats.skipped).map(([k, v]) => `${k} ${v}`).join(', ')}</>}
        </p>
      </section>
      <Bars title="Items per source" counts={stats.items.bySource} />
      <Bars title="Items per topic (top 20)" counts={overview.stats.items.byTopic} />
      {stats.imageChecks && <Bars title="Image check" counts={stats.imageChecks} />}
      <p className="muted small wide">Split names follow the paper; hover a split for how its falsified images were retrieved. {splitName(overview.splits, 'merged_balanced')} balances the four others.</p>
    </div>
  );
}
