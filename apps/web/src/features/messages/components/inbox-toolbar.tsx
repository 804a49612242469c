import type { RefObject } from "react";
import type { QuickFilters } from "../inbox-state.ts";

export interface InboxToolbarProps {
  searchRef: RefObject<HTMLInputElement | null>;
  search: string;
  onSearch: (value: string) => void;
  filters: QuickFilters;
  onFilters: (filters: QuickFilters) => void;
  total: number;
  loadedCount: number;
  selectedCount: number;
  onSelectAll: (all: boolean) => void;
  onDelete: () => void;
  onMarkRead: () => void;
  onClear: () => void;
}

/** Search with a syntax hint, quick filters, and the actions on the selection. */
export function InboxToolbar(props: InboxToolbarProps) {
  const { filters, selectedCount } = props;
  const allSelected = props.loadedCount > 0 && selectedCount === props.loadedCount;
  return (
    <div className="inbox-toolbar">
      <form className="search" role="search" onSubmit={(event) => event.preventDefault()}>
        <label htmlFor="inbox-search" className="visually-hidden">
          Search messages
        </label>
        <input
          id="inbox-search"
          ref={props.searchRef}
          type="search"
          className="search__input"
          placeholder="Search   ( / )"
          value={props.search}
          onChange={(event) => props.onSearch(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              props.onSearch("");
              event.currentTarget.blur();
            }
          }}
          aria-describedby="search-hint"
          autoComplete="off"
          spellCheck={false}
        />
        <p
          id="search-hint"
          className="search__hint"
          title='Words search subject, addresses and text. Fields: from: to: subject: is:unread has:attachment before:2026-01-31 after:2026-01-01 larger:1mb smaller:10kb, "a phrase", -word to exclude.'
        >
          <code>from:</code> <code>to:</code> <code>subject:</code> <code>is:unread</code>{" "}
          <code>has:attachment</code> <code>larger:1mb</code> <code>-word</code>
        </p>
      </form>
      <div className="inbox-toolbar__row">
        <input
          type="checkbox"
          className="inbox-toolbar__all"
          aria-label={allSelected ? "Select none" : "Select all loaded messages"}
          checked={allSelected}
          ref={(element) => {
            if (element) element.indeterminate = selectedCount > 0 && !allSelected;
          }}
          onChange={() => props.onSelectAll(!allSelected)}
        />
        {selectedCount > 0 ? (
          <>
            <span className="inbox-toolbar__count" aria-live="polite">
              {selectedCount.toLocaleString()} selected
            </span>
            <button type="button" className="button button--small" onClick={props.onMarkRead}>
              Mark read
            </button>
            <button type="button" className="button button--small" onClick={props.onDelete}>
              Delete
            </button>
          </>
        ) : (
          <>
            <div className="chips" role="group" aria-label="Quick filters">
              <button
                type="button"
                className="chip"
                aria-pressed={filters.unread}
                onClick={() => props.onFilters({ ...filters, unread: !filters.unread })}
              >
                Unread
              </button>
              <button
                type="button"
                className="chip"
                aria-pressed={filters.attachments}
                onClick={() => props.onFilters({ ...filters, attachments: !filters.attachments })}
              >
                Attachments
              </button>
            </div>
            <span className="inbox-toolbar__count" aria-live="polite">
              {props.total.toLocaleString()} {props.total === 1 ? "message" : "messages"}
            </span>
          </>
        )}
        <button
          type="button"
          className="button button--small button--danger inbox-toolbar__clear"
          disabled={props.total === 0}
          onClick={props.onClear}
        >
          Clear all
        </button>
      </div>
    </div>
  );
}
