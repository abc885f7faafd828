package io.gnetj.examples;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed, checked flag values of one example run. Every declared flag has a value (its default
 * when absent).
 */
public final class Flags {

    private final Map<String, Object> values;
    private final boolean helpRequested;

    private Flags(Map<String, Object> values, boolean helpRequested) {
        this.values = values;
        this.helpRequested = helpRequested;
    }

    /**
     * Parses {@code args} ({@code --name VALUE}, {@code --name=VALUE}, {@code --help}) against
     * {@code declared}.
     *
     * @throws UsageException for an unknown flag, a missing value or a value out of range
     */
    public static Flags parse(List<Flag> declared, List<String> args) {
        Map<String, Flag> byName = new HashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Flag f : declared) {
            byName.put(f.name(), f);
            values.put(f.name(), f.parse(f.defaultValue()));
        }
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument '" + arg + "' (flags look like --port 9000)");
            }
            String name = arg.substring(2);
            String raw = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                raw = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = byName.get(name);
            if (flag == null) {
                throw new UsageException("unknown flag --" + name);
            }
            if (raw == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value (" + flag.valueName() + ")");
                }
                raw = args.get(++i);
            }
            values.put(name, flag.parse(raw));
        }
        return new Flags(values, help);
    }

    /** Every default of {@code declared}, with some values overridden ({@code "port", "0"}, ...). */
    public static Flags of(List<Flag> declared, String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        String[] args = new String[nameValuePairs.length];
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            args[i] = "--" + nameValuePairs[i];
            args[i + 1] = nameValuePairs[i + 1];
        }
        return parse(declared, List.of(args));
    }

    /** Whether {@code --help} was given. */
    public boolean helpRequested() {
        return helpRequested;
    }

    /** An {@link Flag.Kind#INT} flag's value. */
    public int getInt(String name) {
        return Math.toIntExact(getLong(name));
    }

    /** A numeric flag's value. */
    public long getLong(String name) {
        Object v = value(name);
        if (!(v instanceof Long)) {
            throw new IllegalArgumentException("--" + name + " is not numeric");
        }
        return (Long) v;
    }

    /** A {@link Flag.Kind#STRING} flag's value. */
    public String getString(String name) {
        return value(name).toString();
    }

    private Object value(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no flag --" + name + " declared");
        }
        return v;
    }
}
