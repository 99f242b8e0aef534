package io.courier.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;

/** A config mapping with some values replaced, for a second "pod" built by hand in a test. */
public final class Overrides {

    private Overrides() {
    }

    @SuppressWarnings("unchecked")
    public static <T> T of(Class<T> type, T real, Map<String, Object> replaced) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (replaced.containsKey(method.getName())) {
                return replaced.get(method.getName());
            }
            if (method.isDefault()) {
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args); // sees the replacements
            }
            if (real == null) {
                throw new UnsupportedOperationException(method.getName() + " not given to Overrides.of");
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
