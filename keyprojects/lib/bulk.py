"""Writing many new rows at once, faster than QuerySet.bulk_create: the importer's apply and the demo
city's loaders write tens of thousands of records, and bulk_create prepares every value of every row
through its field, most of which leave it unchanged."""

from django.db import connection, models


def insert_new(model, instances) -> None:
    """bulk_create(INSTANCES), new rows only: INSERT … RETURNING the keys, which are set on the
    instances as bulk_create sets them, its SQL written once a batch and its values prepared only
    where the field changes them on their way to the database."""
    if not instances:
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated and not isinstance(f, models.AutoField)]
    for instance in instances:
        instance._prepare_related_fields_for_save(operation_name="bulk_create")
    columns = [
        (
            f.attname,
            f if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add) else None,
            f if needs_preparing(f) else None,
        )
        for f in fields
    ]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(opts.db_table), ", ".join(quote(f.column) for f in fields)
    )
    returning, returning_params = connection.ops.return_insert_columns([opts.pk])
    placeholders = "({})".format(", ".join(["%s"] * len(fields)))
    size = min(max(connection.ops.bulk_batch_size(fields, instances), 1), 500)
    with connection.cursor() as cursor:
        for start in range(0, len(instances), size):
            batch = instances[start : start + size]
            params = []
            for instance in batch:
                for attname, stamped, prepared in columns:
                    value = stamped.pre_save(instance, True) if stamped else getattr(instance, attname)
                    params.append(prepared.get_db_prep_save(value, connection) if prepared else value)
            cursor.execute(
                f"{head}{', '.join([placeholders] * len(batch))} {returning}", [*params, *returning_params]
            )
            for instance, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding = False
                instance._state.db = connection.alias


def needs_preparing(field) -> bool:
    """Text, numbers and keys go to the database as they are; dates, JSON and choices (enums) do not."""
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
    return bool(field.choices) or not isinstance(field, plain)
