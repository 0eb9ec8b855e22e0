/** A Delete button that asks first: `question` is what the confirmation says. */
export function DeleteButton({ question, onDelete }: { question: string; onDelete: () => void }) {
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => {
        if (window.confirm(question)) onDelete();
      }}
    >
      Delete
    </button>
  );
}
