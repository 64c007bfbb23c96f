/** The CLI's default `--db`: one database for every sweep, under `runs/` in the working directory. */
export const DEFAULT_DB = 'runs/sparsebench.db';
