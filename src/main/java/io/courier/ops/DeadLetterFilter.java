package io.courier.ops;

import io.courier.job.JobType;
import io.courier.retry.ErrorClass;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which dead letters an operator means: by class, account, job type, time range, ids, state. Built from strings
 * (query parameters, JSON, CLI flags), each checked with a message naming the field.
 */
public record DeadLetterFilter(Optional<String> errorClass, Optional<String> accountId, Optional<String> jobType,
        Optional<Instant> since, Optional<Instant> until, List<Long> ids, Optional<DeadLetterState> state) {

    /** A field that does not parse; the message says what is allowed. */
    public static final class BadFilter extends IllegalArgumentException {
        public final String field;

        BadFilter(String field, String message) {
            super(message);
            this.field = field;
        }
    }

    public static DeadLetterFilter parse(String errorClass, String accountId, String jobType, String since,
            String until,
            List<String> ids, String state) {
        if (present(errorClass) && Arrays.stream(ErrorClass.values()).noneMatch(c -> c.name().equals(errorClass))) {
            throw new BadFilter("errorClass",
                    "errorClass must be one of " + Arrays.toString(ErrorClass.values()) + ", got '" + errorClass + "'");
        }
        if (present(jobType) && Arrays.stream(JobType.values()).noneMatch(t -> t.wireName().equals(jobType))) {
            throw new BadFilter("jobType",
                    "jobType must be one of " + Arrays.stream(JobType.values()).map(JobType::wireName).toList()
                            + ", got '" + jobType + "'");
        }
        if (present(state) && DeadLetterState.LISTED.stream().noneMatch(s -> s.name().equals(state))) {
            throw new BadFilter("state", "state must be one of " + DeadLetterState.LISTED + ", got '" + state + "'");
        }
        List<Long> idList = new ArrayList<>();
        for (String id : ids == null ? List.<String>of() : ids) {
            for (String part : id.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                try {
                    idList.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    throw new BadFilter("ids",
                            "ids must be numbers (dead-letter ids from the list), got '" + part + "'");
                }
            }
        }
        Optional<Instant> from = instant("since", since);
        Optional<Instant> to = instant("until", until);
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new BadFilter("until", "until must be after since");
        }
        return new DeadLetterFilter(opt(errorClass), opt(accountId), opt(jobType), from, to, List.copyOf(idList),
                opt(state).map(DeadLetterState::valueOf));
    }

    /** The same filter, restricted to one state (replay and discard act on NEW dead letters only). */
    public DeadLetterFilter inState(DeadLetterState newState) {
        return new DeadLetterFilter(errorClass, accountId, jobType, since, until, ids, Optional.of(newState));
    }

    /** SQL conditions and their parameters, in order. */
    String where(List<Object> parameters) {
        List<String> conditions = new ArrayList<>();
        errorClass.ifPresent(v -> add(conditions, parameters, "error_class = ?", v));
        accountId.ifPresent(v -> add(conditions, parameters, "account_id = ?", v));
        jobType.ifPresent(v -> add(conditions, parameters, "job_type = ?", v));
        since.ifPresent(v -> add(conditions, parameters, "dead_at >= ?", java.sql.Timestamp.from(v)));
        until.ifPresent(v -> add(conditions, parameters, "dead_at < ?", java.sql.Timestamp.from(v)));
        state.ifPresent(v -> add(conditions, parameters, "state = ?", v.name()));
        if (!ids.isEmpty()) {
            conditions.add("id = any(?)");
            parameters.add(ids.toArray(Long[]::new));
        }
        return conditions.isEmpty() ? "true" : String.join(" and ", conditions);
    }

    /** The filter as operators wrote it, for the audit. */
    String describe() {
        List<String> parts = new ArrayList<>();
        errorClass.ifPresent(v -> parts.add("errorClass=" + v));
        accountId.ifPresent(v -> parts.add("accountId=" + v));
        jobType.ifPresent(v -> parts.add("jobType=" + v));
        since.ifPresent(v -> parts.add("since=" + v));
        until.ifPresent(v -> parts.add("until=" + v));
        if (!ids.isEmpty()) {
            parts.add("ids=" + ids);
        }
        state.ifPresent(v -> parts.add("state=" + v));
        return parts.isEmpty() ? "(all)" : String.join(" ", parts);
    }

    private static void add(List<String> conditions, List<Object> parameters, String condition, Object value) {
        conditions.add(condition);
        parameters.add(value);
    }

    private static Optional<Instant> instant(String field, String value) {
        if (!present(value)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new BadFilter(field,
                    field + " must be an ISO-8601 instant such as 2026-11-25T00:00:00Z, got '" + value + "'");
        }
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static Optional<String> opt(String s) {
        return present(s) ? Optional.of(s) : Optional.empty();
    }
}
