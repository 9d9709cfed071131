using Microsoft.ML;
using Microsoft.ML.Data;

namespace DitML.ML.Generation;

/// <summary>
/// An IDataView of <c>rowCount</c> rows whose every column holds its type's default value: with no rows, a schema to
/// fit the persisted chain on without data; with one, enough to run transforms whose output does not depend on the
/// input (the constant Expression column carrying a saved generation spec).
/// </summary>
internal sealed class DefaultRowsDataView(DataViewSchema schema, long rowCount = 0) : IDataView
{
    public bool CanShuffle => false;

    public DataViewSchema Schema => schema;

    public long? GetRowCount() => rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(schema, rowCount);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(schema, rowCount)];

    private sealed class Cursor(DataViewSchema schema, long rowCount) : DataViewRowCursor
    {
        private long position = -1;

        public override DataViewSchema Schema => schema;

        public override long Position => position;

        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (position + 1 >= rowCount) return false;
            position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ref TValue value) => value = default!;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)position, 0);
    }
}
