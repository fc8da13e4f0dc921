// Files chosen in a file input (or taken with the camera), uploaded one by one to an
// object; each stored file is handed back as it arrives, and the input is cleared for
// the next choice.
import { ref } from 'vue'
import { upload, type Attachment } from './api'

export function useUploads(done: (n: number) => void, failed: (e: unknown) => void) {
  const uploading = ref(false)
  async function fromInput(ev: Event, objectType: string, objectId: number | undefined, each: (a: Attachment) => void) {
    const input = ev.target as HTMLInputElement
    if (objectId === undefined || !input.files) return
    uploading.value = true
    let n = 0
    try {
      for (const f of Array.from(input.files)) {
        each(await upload(objectType, objectId, f))
        n++
      }
      done(n)
    } catch (e) {
      failed(e)
    } finally {
      uploading.value = false
      input.value = ''
    }
  }
  return { uploading, fromInput }
}
