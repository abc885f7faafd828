package io.gnetj.examples;

import java.util.Objects;

/**
 * One command-line flag of an example: {@code --name VALUE} or {@code --name=VALUE}.
 *
 * <p>Values are checked when parsed ({@link Flags#parse}), so an example reads them without
 * checking again. Sizes accept a binary suffix: {@code 64k}, {@code 1m}, {@code 2g}.
 *
 * @param name         the flag without its leading dashes
 * @param valueName    what the help shows for the value, e.g. {@code N}
 * @param description  one line for {@code --help}
 * @param defaultValue the value when the flag is absent (must itself be valid)
 * @param defaultLabel what {@code --help} shows as the default, when the raw value would mislead
 * @param kind         how the value is parsed
 * @param min          smallest accepted value (numbers only)
 * @param max          largest accepted value (numbers only)
 */
public record Flag(String name, String valueName, String description, String defaultValue,
                   String defaultLabel, Kind kind, long min, long max) {

    /** How a flag's value is parsed. */
    public enum Kind { INT, SIZE, STRING }

    /** Checks the components. */
    public Flag {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(valueName, "valueName");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(kind, "kind");
    }

    /** An integer flag in {@code [min, max]}. */
    public static Flag integer(String name, String description, long defaultValue, long min, long max) {
        return new Flag(name, "N", description, Long.toString(defaultValue), null, Kind.INT, min, max);
    }

    /** A byte-size flag ({@code 512}, {@code 64k}, {@code 1m}) in {@code [min, max]} bytes. */
    public static Flag size(String name, String description, String defaultValue, long min, long max) {
        return new Flag(name, "SIZE", description, defaultValue, null, Kind.SIZE, min, max);
    }

    /** A free-text flag. */
    public static Flag string(String name, String valueName, String description, String defaultValue) {
        return new Flag(name, valueName, description, defaultValue, null, Kind.STRING, 0, 0);
    }

    /** The same flag, showing {@code label} as its default in {@code --help}. */
    public Flag withDefaultLabel(String label) {
        return new Flag(name, valueName, description, defaultValue, label, kind, min, max);
    }

    /** The help line's left column, e.g. {@code --port N}. */
    String synopsis() {
        return "--" + name + " " + valueName;
    }

    /** The help line's right column. */
    String help() {
        return description + " (default: " + (defaultLabel != null ? defaultLabel : defaultValue) + ")";
    }

    /**
     * Parses {@code raw} as this flag's kind.
     *
     * @return the value: a {@link Long} for numbers, the string otherwise
     * @throws UsageException naming the flag when the value is not acceptable
     */
    Object parse(String raw) {
        switch (kind) {
            case STRING:
                if (raw.isEmpty()) {
                    throw new UsageException("--" + name + " needs a non-empty value");
                }
                return raw;
            case INT:
                return inRange(parseLong(raw, raw), raw);
            case SIZE:
                return inRange(parseSize(raw), raw);
            default:
                throw new AssertionError(kind);
        }
    }

    private long parseSize(String raw) {
        String s = raw.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.isEmpty()) {
            char last = s.charAt(s.length() - 1);
            if (last == 'k') {
                unit = 1024L;
            } else if (last == 'm') {
                unit = 1024L * 1024;
            } else if (last == 'g') {
                unit = 1024L * 1024 * 1024;
            }
            if (unit != 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        long n = parseLong(s, raw);
        if (n > Long.MAX_VALUE / unit) {
            throw new UsageException("--" + name + " " + raw + " is too large");
        }
        return n * unit;
    }

    private long parseLong(String s, String raw) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects " + (kind == Kind.SIZE
                    ? "a size such as 512, 64k or 1m" : "an integer") + ", got '" + raw + "'");
        }
    }

    private long inRange(long v, String raw) {
        if (v < min || v > max) {
            throw new UsageException("--" + name + " must be between " + min + " and " + max + ", got " + raw);
        }
        return v;
    }
}
