import { useEffect, useState } from 'react';
import type { ItemPage, Overview } from '../../../electron/common/api.ts';
import type { CaptionHit } from '../../../electron/common/pairs.ts';
import { call, explainImage, imageUrl, thumbnailUrl, type ApiError } from '../api/client.ts';
import { PairImage } from '../components/PairImage.tsx';
import { describeError } from '../errors.ts';
import { countOf, splitName } from '../format.ts';
import type { UpdateView, ViewState } from '../state/view-state.ts';

const thumb = (id: number): string => thumbnailUrl(id, 256);

/** Captions matching the words typed, over the whole corpus, each opening its item. */
function CaptionSearch({ find, onFind, onOpen }: { find: string; onFind: (q: string | undefined) => void; onOpen: (id: number) => void }) {
  const [text, setText] = useState(find);
  const [hits, setHits] = useState<CaptionHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setHits(null);
    setError(null);
    if (find === '') return;
    let live = true;
    call('items.search', { q: find, limit: 100 }).then(
      (r) => live && setHits(r.items),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [find]);
  return (
    <section className="card">
      <form
        className="item-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          onFind(text.trim() || undefined);
        }}
      >
        <input type="search" aria-label="Search every caption" placeholder="Search every caption in the corpus, in every split file" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      {error && <p className="error">{error}</p>}
      {hits && (
        <ol className="caption-hits" aria-label="Captions found">
          {hits.length === 0 && <li className="muted">No caption matches.</li>}
          {hits.map((h) => (
            <li key={h.id}>
              <button type="button" className="link" onClick={() => onOpen(h.id)}>{h.caption || '(empty caption)'}</button>
              <span className="muted small">item {h.id} · {h.source ?? 'unknown source'} · {countOf(h.pairs, 'pair')}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** An item's caption and image, and every pair in every split file that uses either, grouped by split file. */
function ItemUses({ page, overview, onOpenPair, onCandidates }: { page: ItemPage; overview: Overview; onOpenPair: (split: string, subset: string, pairId: number) => void; onCandidates: (captionId: number) => void }) {
  const files = new Map<string, ItemPage['uses']>();
  for (const use of page.uses) {
    const key = `${use.pair.split}/${use.pair.subset}`;
    files.set(key, [...(files.get(key) ?? []), use]);
  }
  const { item } = page;
  return (
    <section className="card item-page" aria-label={`Item ${item.id}`}>
      <div className="item-head">
        <PairImage itemId={page.image === null ? null : item.id} role="Neighbour" purpose={`of item ${item.id}`} caption={item.caption} src={page.image === null ? null : imageUrl(item.id)} explain={explainImage} large />
        <div>
          <h2>Item {item.id}</h2>
          <p className="detail-caption">{item.caption || <em className="muted">(empty caption)</em>}</p>
          <p className="muted small">{item.source ?? 'unknown source'} · {item.topic ?? 'no topic'}{page.image?.path ? ` · ${page.image.path}` : ''}</p>
          <p>{page.uses.length === 0 ? 'No split file uses this item.' : `${countOf(page.uses.length, 'use')} in ${countOf(files.size, 'split file')}.`}</p>
          {item.caption.trim() !== '' && <button type="button" className="secondary" onClick={() => onCandidates(item.id)}>Candidates for this caption…</button>}
        </div>
      </div>
      {[...files].map(([key, uses]) => {
        const [split, subset] = key.split('/') as [string, string];
        return (
          <section key={key} className="item-file">
            <h3>{splitName(overview.splits, split)} · {subset}</h3>
            <table className="uses" aria-label={`Pairs in ${splitName(overview.splits, split)} ${subset}`}>
              <tbody>
                {uses.map(({ role, pair }) => {
                  const other = role === 'caption' ? pair.falsified : null;
                  return (
                    <tr key={`${role}-${pair.pairId}`}>
                      <th scope="row" className={role === 'caption' ? '' : role.startsWith('pristine') ? 'label pristine' : 'label falsified'}>as {role}</th>
                      <td>
                        <div className="use-thumbs">
                        {pair.pristine && <PairImage itemId={pair.pristine.imageId} role="Pristine" caption={pair.caption} src={thumb(pair.pristine.imageId)} explain={explainImage} />}
                        {pair.falsified && <PairImage itemId={pair.falsified.imageId} role="Falsified" caption={pair.caption} src={thumb(pair.falsified.imageId)} explain={explainImage} />}
                        </div>
                      </td>
                      <td>
                        {role === 'caption' ? (
                          <span>{other ? <>falsified with image {other.imageId}{other.originalCaption ? <span className="muted"> (“{other.originalCaption}”)</span> : null}</> : 'no falsified image'}</span>
                        ) : (
                          <span>under caption {pair.captionId}: “{pair.caption}”</span>
                        )}
                      </td>
                      <td>
                        <button type="button" className="link" onClick={() => onOpenPair(pair.split, pair.subset, pair.pairId)}>Open pair {pair.pairId}</button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        );
      })}
    </section>
  );
}

/**
 * The Items view: search every caption of the corpus at once, and one page per item listing every
 * pair, in every split file, that uses its caption or its image (pristine or swapped in).
 */
export function ItemView({ state, update, overview }: { state: ViewState; update: UpdateView; overview: Overview }) {
  const [page, setPage] = useState<ItemPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setPage(null);
    setError(null);
    if (state.item === undefined) return;
    let live = true;
    call('items.get', { id: state.item }).then(
      (p) => live && setPage(p),
      (err: ApiError) => live && setError(describeError(err)),
    );
    return () => {
      live = false;
    };
  }, [state.item]);
  return (
    <div className="items-view">
      <CaptionSearch key={state.find ?? ''} find={state.find ?? ''} onFind={(find) => update({ find })} onOpen={(item) => update({ item })} />
      {error && <p className="error" role="alert">{error}</p>}
      {page && <ItemUses page={page} overview={overview} onOpenPair={(split, subset, pair) => update({ view: 'pairs', split, subset, pair, open: true, item: undefined, find: undefined })} onCandidates={(caption) => update({ view: 'candidates', caption })} />}
    </div>
  );
}
