// The workflow rules of src/core/rules.cpp (docs/domain.md), so the page offers only what the
// server would accept and says why the rest is not possible now. The server still decides: a
// refusal it sends is shown next to the field it names.
import { t, valueLabel } from './i18n';

export const caseStatuses = ['open', 'investigation', 'prosecution', 'aftercare', 'closed'] as const;

const caseTransitions: Record<string, string[]> = {
  open: ['investigation', 'prosecution', 'aftercare', 'closed'],
  investigation: ['prosecution', 'aftercare', 'closed'],
  prosecution: ['aftercare', 'closed'],
  aftercare: ['prosecution', 'closed'],
  closed: ['open'],
};

/** Statuses a case may take from `status` (its own included, so the form shows it). */
export function nextCaseStatuses(status: string): { choices: string[]; why: string } {
  const next = caseTransitions[status] ?? [];
  return {
    choices: [status, ...next],
    why: t('rules.caseStatus', { from: valueLabel(status), to: next.map(valueLabel).join(', ') }),
  };
}

export const legalStages = ['complaint', 'investigation', 'charges_filed', 'arraignment', 'trial', 'verdict', 'sentence', 'appeal'] as const;

export interface Stage {
  stage: string;
  date: string;
  verdict?: string;
  sentence_months?: number;
  note?: string;
}

/** Each stage that could be added after `stages`, or why it cannot. */
export function nextStages(stages: Stage[]): { stage: string; why?: string }[] {
  const done = stages.map((s) => s.stage);
  const lastIndex = stages.length ? legalStages.indexOf(stages[stages.length - 1]!.stage as (typeof legalStages)[number]) : -1;
  const verdict = stages.find((s) => s.stage === 'verdict')?.verdict;
  return legalStages.map((stage, index) => {
    if (done.includes(stage)) return { stage, why: t('rules.stageDone') };
    if (index <= lastIndex) return { stage, why: t('rules.stageOrder', { last: valueLabel(legalStages[lastIndex]!) }) };
    if (stage === 'verdict' && !done.includes('charges_filed')) return { stage, why: t('rules.verdictNeedsCharges') };
    if (stage === 'sentence' && verdict !== 'conviction' && verdict !== 'plea') return { stage, why: t('rules.sentenceNeedsConviction') };
    if (stage === 'appeal' && !verdict) return { stage, why: t('rules.appealNeedsVerdict') };
    return { stage };
  });
}

/** The latest stage's date: a new stage may not be dated before it. */
export function lastStageDate(stages: Stage[]): string | undefined {
  return stages.length ? stages[stages.length - 1]!.date : undefined;
}

export const assessmentDomains = ['safety', 'legal_protection', 'mental_wellbeing', 'economic_empowerment', 'social_support', 'physical_wellbeing'] as const;
