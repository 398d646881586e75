/*
 * The image normally links the JDK's static libraries (libjava.a, libnio.a, libnet.a, libzip.a) and calls their
 * JNI_OnLoad_<lib>. Temurin has only the shared ones, so this probe links those and forwards each
 * JNI_OnLoad_<lib> to the shared library's own JNI_OnLoad.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <jni.h>
#include <stdio.h>

static jint forward(const char *so, JavaVM *vm, void *reserved) {
    void *h = dlopen(so, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) return JNI_VERSION_1_8;
    jint (*f)(JavaVM *, void *) = (jint (*)(JavaVM *, void *)) dlsym(h, "JNI_OnLoad");
    jint v = f ? f(vm, reserved) : JNI_VERSION_1_8;
    /* a library linked in must declare JNI 1.8 or later (JNI_OnLoad_L); the shared ones answer 1.2 */
    return v < 0 ? v : (v < JNI_VERSION_1_8 ? JNI_VERSION_1_8 : v);
}
JNIEXPORT jint JNICALL JNI_OnLoad_java(JavaVM *vm, void *r) { return forward("libjava.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_nio(JavaVM *vm, void *r) { return forward("libnio.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_net(JavaVM *vm, void *r) { return forward("libnet.so", vm, r); }
JNIEXPORT jint JNICALL JNI_OnLoad_zip(JavaVM *vm, void *r) { return JNI_VERSION_1_8; }
