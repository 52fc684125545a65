using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tollgate.Spend;

/// <summary>
/// The spend writer's INSERT on SQLite, through the native statement API: prepared once per batch, each
/// row bound by position. Through ADO.NET every parameter of every row was looked up by name and given a
/// binder object, which cost more than SQLite's own work on the row.
/// </summary>
internal static class SqliteSpendRows
{
    /// <summary>How Microsoft.Data.Sqlite writes a decimal, so rows written here read back like the rest.</summary>
    private const string DecimalFormat = "0.0###########################";

    /// <summary>Runs <paramref name="insert"/> (parameters in <see cref="SpendLogColumns.Names"/> order) for each row, inside the connection's open transaction.</summary>
    /// <param name="inserted">Receives the rows that were new (the INSERT skips a request id already stored).</param>
    /// <exception cref="SqliteException">SQLite refused the statement or a row.</exception>
    public static void Insert(SqliteConnection connection, string insert, IReadOnlyList<SpendLogRow> rows, List<SpendLogRow> inserted)
    {
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        Check(db, raw.sqlite3_prepare_v2(db, insert, out var statement));
        using (statement)
        {
            foreach (var row in rows)
            {
                Bind(db, statement, row);
                var result = raw.sqlite3_step(statement);
                if (result != raw.SQLITE_DONE)
                {
                    throw Error(db, result);
                }

                if (raw.sqlite3_changes(db) == 1)
                {
                    inserted.Add(row);
                }

                Check(db, raw.sqlite3_reset(statement));
            }
        }
    }

    private static void Bind(sqlite3 db, sqlite3_stmt statement, SpendLogRow row)
    {
        var sink = new StatementSink(db, statement);
        SpendLogColumns.Write(row, ref sink);
    }

    /// <summary>Binds a row's values to the statement's parameters by position, as Microsoft.Data.Sqlite would store them.</summary>
    private struct StatementSink(sqlite3 db, sqlite3_stmt statement) : ISpendColumnSink
    {
        private int _next;

        public void Text(string? value) =>
            Check(db, value is null ? raw.sqlite3_bind_null(statement, ++_next) : raw.sqlite3_bind_text(statement, ++_next, value));

        public void Integer(long? value) =>
            Check(db, value is { } number ? raw.sqlite3_bind_int64(statement, ++_next, number) : raw.sqlite3_bind_null(statement, ++_next));

        public void Integer(int value) => Integer((long)value);

        public void Flag(bool value) => Integer(value ? 1 : 0);

        public void Money(decimal value) => Text(value.ToString(DecimalFormat, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw Error(db, result);
        }
    }

    private static SqliteException Error(sqlite3 db, int result) =>
        new($"SQLite error {result}: {raw.sqlite3_errmsg(db).utf8_to_string()}", result);
}
