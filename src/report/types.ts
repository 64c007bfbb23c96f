import type { DenseLawParams } from '../law/dense-law.js';
import type { LawFit, SparseLawParams } from '../law/types.js';
import type { MetricPoint, SweepRecord, TrialRecord } from '../store/types.js';
import type { DataUnit } from './units.js';

/** Output formats of `sparsebench report`. */
export const REPORT_FORMATS = ['html', 'md'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One `--optimal` answer stored with a fit. */
export interface StoredQuery {
  N: number;
  C: number;
  S_opt: number;
}

/** A stored law fit of a sweep as the report uses it, whichever form: `P` its checked coefficients. */
export interface ReportedFit<P> {
  id: number;
  createdAt: string;
  converged: boolean;
  /** Trial ids the fit was made from. */
  inputs: string[];
  /** The `--where` conditions that chose them ("key=value"); empty for all of the sweep's trials. */
  where: string[];
  /** Trials of that selection left out of the fit with `--exclude` (full ids); empty when none. */
  excluded: string[];
  fit: LawFit;
  /** The coefficients, checked; null when the stored ones are unusable (see `problem`). */
  params: P | null;
  /** Why the coefficients cannot be used to draw the law, when they cannot. */
  problem: string | null;
}

/** A stored sparse-law fit of a sweep, as the report uses it. */
export interface StoredFit extends ReportedFit<SparseLawParams> {
  /** Why the law implies no optimal sparsity (a term at its lower bound, too few levels), or null when it does. */
  optimumProblem: string | null;
  queries: StoredQuery[];
}

/**
 * A stored dense-law (`fit-law --form chinchilla`) fit, which the report shows when no sparse-law fit is
 * stored: its coefficients, and its law drawn through the dense trials (its `where`: empty for all of the
 * sweep's dense trials).
 */
export type DenseFit = ReportedFit<DenseLawParams>;

/**
 * Everything a report shows, read from the database: plain data, so a report can be rebuilt (and
 * tested) without training.
 */
export interface ReportData {
  /** The database, as given on the command line. */
  dbPath: string;
  sweep: SweepRecord;
  /** Trials in plan order, every status. */
  trials: TrialRecord[];
  /** Logged train_loss and val_loss points by trial id (others are not plotted). */
  curves: Record<string, MetricPoint[]>;
  /** The sweep's latest sparse-law fit (or the one chosen with --fit), or null when none is stored. */
  fit: StoredFit | null;
  /**
   * Trials the fit drawn was made from that are no longer in the sweep but still in the database (the sweep
   * was run again with another plan): their N places their residuals.
   */
  fitTrialsOutside?: TrialRecord[];
  /** Without a sparse-law fit: the sweep's newest dense-law fit, if one is stored. */
  denseFit?: DenseFit | null;
  /**
   * The newest sparse-law fit of each selection of the sweep's trials (each `fit-law --where`, and the whole
   * sweep's), in selection order, when the sweep has fits of two or more selections; else empty.
   */
  settingFits?: StoredFit[];
  /** Whether the fit was chosen by id rather than being the newest. */
  fitChosen?: boolean;
  /**
   * Sparse-law fits newer than the one drawn by default, passed over because some of their trials are no longer in
   * the sweep (see `Store.defaultFit`); absent or empty when the drawn fit is the newest.
   */
  newerFitsPassedOver?: number[];
  /** Trials `runs rm` took out of the sweep since it last ran, which its config still plans. */
  removedTrials?: number;
  /** What D counts in this sweep. */
  unit: DataUnit;
  /** The sweep's model family, when known (what its compute C counts depends on it). */
  family?: string;
}

/** A chart rendered to SVG, with the texts that describe it. */
export interface RenderedPlot {
  /** File-name-safe id, e.g. `loss-vs-n`. */
  id: string;
  title: string;
  /** Caption shown under the plot: how to read it. */
  caption: string;
  /** Text alternative for screen readers. */
  alt: string;
  svg: string;
}

/** A block of report content, written by both the HTML and the Markdown writer. */
export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'notice'; level: 'warning' | 'missing'; text: string; items?: string[] }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; caption: string; columns: TableColumn[]; rows: string[][] }
  | { kind: 'plot'; plot: RenderedPlot }
  | { kind: 'code'; text: string };

/** A column of a report table. */
export interface TableColumn {
  header: string;
  align?: 'left' | 'right';
}

/** A titled part of the report. */
export interface Section {
  /** Anchor id (HTML) and stable name for tests. */
  id: string;
  title: string;
  blocks: Block[];
}

/** The whole report, independent of its output format. */
export interface ReportDocument {
  title: string;
  /**
   * Lines under the title, each its own paragraph: the sweep's description (where its config has one), then when
   * and from which database the report was built.
   */
  subtitle: string[];
  sections: Section[];
  /**
   * The database and sweep the report was built from, kept in the files unseen (a meta tag, a comment), so a later
   * build into the same folder can tell a report of another database it replaces.
   */
  source?: ReportSource;
}

/** Where a report's numbers come from. */
export interface ReportSource {
  sweep: string;
  /** The database's file name. */
  database: string;
  /** A hash of the database's full path: two databases of one name in different folders differ in it. */
  key: string;
}
