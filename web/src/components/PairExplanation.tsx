// Why a linked pair got its probability: the two records side by side, field by field, with the
// comparison level each field reached and that level's weight (log2 Bayes factor) drawn as a
// bar that diverges from the middle: right for evidence they are one person, left for evidence
// they are not. The number, its sign and the words "for"/"against" say the same without colour.
import { fieldLabel, formatNumber, formatPercent, formatSigned, t } from '../lib/i18n';
import type { Comparison, LinkReview } from '../lib/linkReview';

/**
 * A level in the reviewer's words: haven link's own labels ("exact", "null", "else", "Jaro-Winkler
 * >= 0.92", ... from src/link/spec.cpp default_label) translated, a specification's own label as written.
 */
export function levelLabel(level: string): string {
  if (level === 'exact') return t('link.level.exact');
  if (level === 'null') return t('link.level.null');
  if (level === 'else') return t('link.level.else');
  if (level === 'same phonetic code') return t('link.level.phonetic');
  if (level === 'day and month swapped') return t('link.level.dateSwap');
  if (level === 'same year') return t('link.level.sameYear');
  if (level === 'a word in common') return t('link.level.wordInCommon');
  const similar = /^(Jaro-Winkler|Jaro) >= ([0-9.]+)$/.exec(level);
  if (similar) return t('link.level.similar', { measure: similar[1]!, min: formatNumber(Number(similar[2]), 2) });
  const edits = /^edit distance <= ([0-9]+)$/.exec(level);
  if (edits) return t('link.level.edits', { n: formatNumber(Number(edits[1])) });
  const days = /^within ([0-9.]+) days$/.exec(level);
  if (days) return t('link.level.withinDays', { n: formatNumber(Number(days[1])) });
  return level;
}

function direction(weight: number): string {
  return weight > 0 ? t('link.for') : weight < 0 ? t('link.against') : t('link.neutral');
}

/** The bar only; the text beside it carries the meaning (the SVG is hidden from screen readers). */
function WeightBar({ weight, scale }: { weight: number; scale: number }) {
  const half = Math.min(Math.abs(weight) / scale, 1) * 50;
  return (
    <svg class="wbar" viewBox="0 0 100 12" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      <rect class="wbar-track" x="0" y="0" width="100" height="12" />
      {weight > 0 && <rect class="wbar-for" x="50" y="1" width={half} height="10" />}
      {weight < 0 && <rect class="wbar-against" x={50 - half} y="1" width={half} height="10" />}
      <line class="wbar-axis" x1="50" x2="50" y1="0" y2="12" />
    </svg>
  );
}

function Weight({ weight, scale }: { weight: number; scale: number }) {
  const tone = weight > 0 ? 'for' : weight < 0 ? 'against' : 'neutral';
  return (
    <span class={`weight ${tone}`}>
      <WeightBar weight={weight} scale={scale} />
      <span class="weight-text">
        <span class="weight-num">{formatSigned(weight)}</span> <span class="weight-dir">{direction(weight)}</span>
      </span>
    </span>
  );
}

function Value({ value }: { value: string | null | undefined }) {
  if (value === undefined || value === null || value === '')
    return (
      <span class="missing">
        <span aria-hidden="true">—</span>
        <span class="visually-hidden">{t('link.noValue')}</span>
      </span>
    );
  return <bdi dir="auto">{value}</bdi>;
}

/**
 * The comparison table of a pair. `showValues` is false for those who may not see the compared
 * values (analysts, auditors): the levels and weights still explain the decision.
 */
export function PairExplanation({ pair, showValues }: { pair: LinkReview; showValues: boolean }) {
  // Without the comparisons (withheld from analysts and auditors: they hold the values) only the
  // total shows; the screen says why.
  const comparisons: Comparison[] = pair.comparisons ?? [];
  const known = pair.comparisons !== undefined;
  const fieldsTotal = comparisons.reduce((sum, c) => sum + c.weight, 0);
  // The total weight is the fields' weights plus the prior's log-odds (how likely two records
  // of these lists are one person before looking at them): shown so the column adds up.
  const prior = known ? pair.match_weight - fieldsTotal : 0;
  const scale = Math.max(1, Math.abs(prior), ...comparisons.map((c) => Math.abs(c.weight)));
  const left = t('link.recordOf', { list: pair.list_l, id: pair.record_l });
  const right = t('link.recordOf', { list: pair.list_r, id: pair.record_r });
  const span = showValues ? 3 : 1;
  return (
    <div class="explain-wrap">
      <table class={`explain${showValues ? '' : ' no-values'}`}>
        <caption class="visually-hidden">{t('link.explanation')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('link.field')}</th>
            {showValues && (
              <>
                <th scope="col">
                  <bdi>{left}</bdi>
                </th>
                <th scope="col">
                  <bdi>{right}</bdi>
                </th>
              </>
            )}
            <th scope="col">{t('link.level')}</th>
            <th scope="col">{t('link.weight')}</th>
          </tr>
        </thead>
        <tbody>
          {comparisons.map((c) => (
            <tr key={c.field} data-field={c.field}>
              <th scope="row">{fieldLabel(c.field)}</th>
              {showValues && (
                <>
                  <td data-label={left} class="value">
                    <Value value={c.left} />
                  </td>
                  <td data-label={right} class="value">
                    <Value value={c.right} />
                  </td>
                </>
              )}
              <td data-label={t('link.level')} class="level">
                {levelLabel(c.level)}
              </td>
              <td data-label={t('link.weight')} class="weight-cell">
                <Weight weight={c.weight} scale={scale} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {Math.abs(prior) >= 0.05 && (
            <tr class="prior">
              <th scope="row" colSpan={span}>
                {t('link.prior')}
              </th>
              <td class="level">
                {t('link.priorHelp')}
              </td>
              <td data-label={t('link.weight')} class="weight-cell">
                <Weight weight={prior} scale={scale} />
              </td>
            </tr>
          )}
          <tr class="total">
            <th scope="row" colSpan={span}>
              {t('link.total')}
            </th>
            <td class="level">
              {t('link.probabilityIs', { p: formatPercent(pair.match_probability) })}
            </td>
            <td data-label={t('link.weight')} class="weight-cell">
              <Weight weight={pair.match_weight} scale={Math.max(scale, Math.abs(pair.match_weight))} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
