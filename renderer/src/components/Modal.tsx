import { useEffect, useRef, type ReactNode } from 'react';

export interface ModalProps {
  label: string;
  /** Esc, the close button and a click outside call this, unless closing is not allowed now. */
  onClose: () => void;
  canClose?: boolean;
  className?: string;
  children: ReactNode;
}

/**
 * A modal dialog on the browser's own <dialog>: while it is open the page behind it is inert
 * (focus stays inside, clicks and keys do not reach it) and Esc closes it.
 */
export function Modal({ label, onClose, canClose = true, className = '', children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="modal-frame"
      aria-label={label}
      onCancel={(e) => {
        e.preventDefault();
        if (canClose) onClose();
      }}
      // The dialog element itself is only hit outside its content: the backdrop.
      onClick={(e) => e.target === e.currentTarget && canClose && onClose()}
    >
      <section className={`modal ${className}`}>{children}</section>
    </dialog>
  );
}
