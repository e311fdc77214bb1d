import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { announceSaved } from '../lib/hooks';
import { t } from '../lib/i18n';

/** A button that opens a form below it; the form closes (and the list reloads) when saved. */
export function AddForm({ label, children }: { label: string; children: (done: () => void) => ComponentChildren }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button type="button" class="secondary add" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  return (
    <div class="add-form">
      <h3>{label}</h3>
      {children(() => {
        setOpen(false);
        announceSaved();
      })}
      <button type="button" class="link" onClick={() => setOpen(false)}>
        {t('action.cancel')}
      </button>
    </div>
  );
}

